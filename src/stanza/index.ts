// Stanza-style operator pipelines for log receivers (filelog, journald, ...): built from the
// Collector's `operators:` list, run in order on each entry. A failing operator keeps the
// entry as-is with `log.parse_error` (on_error: send) or drops it (on_error: drop).
import { ParseContext } from '../config/schema.js';
import type { Entry, Operator } from './entry.js';
import { Build, FilteredOut, makeOperator, operatorSchemas, type OperatorType } from './operators.js';
import { didYouMean } from '../config/suggest.js';

export type { Entry, Operator } from './entry.js';
export { buildTimeParser } from './timestamp.js';
export { buildSeverityMapper } from './severity.js';
export { logsByResource } from './group.js';

export const PARSE_ERROR_ATTRIBUTE = 'log.parse_error';

/** What became of one entry: passed every operator, kept with an error, or dropped. */
export enum EntryResult {
  Ok = 0,
  Error = 1,
  Drop = 2,
}

export interface StanzaPipeline {
  readonly operators: readonly Operator[];
  process(e: Entry): EntryResult;
}

export function buildPipeline(configs: unknown[]): { pipeline: StanzaPipeline; errors: string[] } {
  const b = new Build();
  const ops: { op: Operator; drop: boolean }[] = [];
  configs.forEach((raw, i) => {
    const where = `operators[${i}]`;
    const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !(type in operatorSchemas)) {
      const known = Object.keys(operatorSchemas);
      const list = `; known: ${known.join(', ')}`;
      b.errors.push(`${where}: ` + (typeof type === 'string' ? `unknown operator type "${type}"` + didYouMean(type, known, list) : `missing "type"` + list));
      return;
    }
    const ctx = new ParseContext();
    const cfg = operatorSchemas[type as OperatorType].parse(raw, ctx) as Record<string, unknown>;
    for (const is of ctx.issues) b.errors.push(`${where}${is.path.length ? '.' + is.path.join('.') : ''}: ${is.message}`);
    if (ctx.issues.length) return;
    const op = makeOperator(type as OperatorType, cfg, `${where} (${type})`, b);
    if (op) ops.push({ op, drop: String(cfg.on_error).startsWith('drop') });
  });
  const pipeline: StanzaPipeline = {
    operators: ops.map((o) => o.op),
    process(e: Entry): EntryResult {
      let out = EntryResult.Ok;
      for (const { op, drop } of ops) {
        try {
          op.process(e);
        } catch (err) {
          if (drop || err instanceof FilteredOut) return EntryResult.Drop;
          // The first failure explains the rest (later operators miss the fields it would have made).
          if (out === EntryResult.Ok) e.record.attributes[PARSE_ERROR_ATTRIBUTE] = `${op.id}: ${(err as Error).message}`;
          out = EntryResult.Error;
        }
      }
      return out;
    },
  };
  return { pipeline, errors: b.errors };
}
