import { ParseContext, Schema, s, type Infer, type Path } from '../../src/config/schema.js';
import { formatDuration, parseExpr, ParseError, typeOf } from '../../src/promql/index.js';

/** The SRE workbook's windows for a 30-day objective; scaled with each objective's `window`. */
export const NOMINAL_PERIOD_MS = 30 * 86_400_000;
export const DEFAULT_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

/** A PromQL SLI expression with `{{.window}}` placeholders, checked with a window filled in. */
export interface SliExpr {
  text: string;
}

const PLACEHOLDER = /\{\{\s*\.window\s*\}\}/g;
const ANY_TEMPLATE = /\{\{[^}]*\}\}/g;

/** `text` with every `{{.window}}` replaced by `window` (a PromQL duration). */
export function fillWindow(text: string, window: string): string {
  return text.replace(PLACEHOLDER, window);
}

class SliExprSchema extends Schema<SliExpr> {
  parseValue(v: unknown, ctx: ParseContext, path: Path): SliExpr {
    if (typeof v !== 'string' || v.trim() === '') {
      ctx.error(path, 'expected a PromQL expression');
      return { text: '' };
    }
    for (const m of v.matchAll(ANY_TEMPLATE)) {
      if (!/^\{\{\s*\.window\s*\}\}$/.test(m[0])) ctx.error(path, `${m[0]} at offset ${m.index}: only {{.window}} can be templated in an SLI expression`);
    }
    const filled = fillWindow(v, '5m');
    try {
      const ty = typeOf(parseExpr(filled));
      if (ty !== 'vector' && ty !== 'scalar') ctx.error(path, `the expression gives a ${ty === 'matrix' ? 'range vector' : ty}; an SLI needs an instant vector or a scalar (wrap a range in sum(rate(…)))`);
    } catch (e) {
      if (e instanceof ParseError) ctx.error(path, `could not parse expression${v !== filled ? ' (with {{.window}} = 5m)' : ''}: ${e.message}${e.unsupported ? ' (valid PromQL that telemd does not support)' : ''}`);
      else ctx.error(path, `could not parse expression: ${(e as Error).message}`);
    }
    return { text: v };
  }
}

const NAME = /^[A-Za-z0-9_.:-]+$/;

const alertSchema = s.object({
  severity: s.string().describe('the `severity` label (page, ticket, …)'),
  burn_rate: s.number({ min: 0 }).describe('fires when the burn rate over both windows exceeds this'),
  long_window: s.duration({ min: 1 }).describe('nominal (for a 30d objective); scaled with `window`'),
  short_window: s.duration({ min: 1 }).describe('nominal; scaled with `window`'),
  for: s.duration().default(0).describe('the rule\'s `for`'),
});

export type AlertSpec = Infer<typeof alertSchema>;

export const DEFAULT_ALERTS = [
  { severity: 'page', burn_rate: 14.4, long_window: '1h', short_window: '5m' },
  { severity: 'page', burn_rate: 6, long_window: '6h', short_window: '30m' },
  { severity: 'ticket', burn_rate: 1, long_window: '3d', short_window: '6h' },
];

const objectiveSchema = s.object({
  name: s.refine(s.string(), (v) => (NAME.test(v) ? undefined : `name ${JSON.stringify(v)}: letters, digits and _ . : - only`)),
  description: s.string().default(''),
  target: s.refine(s.number(), (v) => (v > 0 && v < 100 ? undefined : `target ${v}: a percentage above 0 and below 100 (99.9)`)).describe('percent of good events'),
  window: s.duration({ min: 60_000 }).default('30d').describe('the objective\'s rolling window; the alert windows scale with it'),
  sli: s
    .object({
      error: new SliExprSchema().describe('PromQL: bad events over {{.window}} (rate or increase)'),
      total: new SliExprSchema().describe('PromQL: all events over {{.window}}, same form'),
    })
    .optional(),
  probe: s
    .refine(s.string(), (v) => (/^(httpcheck|http_check|tcpcheck|tcp_check)(\/[^/\s]+)?$/.test(v) ? undefined : `probe "${v}": expected the id of an httpcheck or tcpcheck receiver (httpcheck/web)`))
    .optional().describe('a check receiver id (httpcheck/web, tcpcheck): the share of its failed probes'),
  labels: s.record(s.string()).default(() => ({})).describe('added to the alerts'),
  alerts: s.array(alertSchema).optional().describe('this objective\'s burn-rate alerts instead of the connector\'s'),
});

export type Objective = Infer<typeof objectiveSchema>;

export const configSchema = s.object({
  evaluation_interval: s.duration({ min: 100 }).default('10s').describe('how often ratios, budgets and burn rates are computed and emitted'),
  windows: s.array(s.duration({ min: 1 })).default(() => DEFAULT_WINDOWS.map(parseDur)).describe('nominal windows of the error ratio and burn rate series (scaled with `window`)'),
  alerts: s.array(alertSchema).default(() => DEFAULT_ALERTS.map((a) => ({ ...a, long_window: parseDur(a.long_window), short_window: parseDur(a.short_window), for: 0 }))).describe('multi-window burn-rate alerts (the SRE workbook\'s by default)'),
  objectives: s.array(objectiveSchema).default(() => []),
  history: s.string().optional().describe('id of a history exporter whose store the PromQL SLIs query (default: the metrics flowing into the connector)'),
  lookback_delta: s.duration({ min: 1 }).default('5m'),
  max_series: s.int({ min: 1 }).default(10_000).describe('series the in-memory window keeps for PromQL SLIs'),
  storage: s.string().optional().describe('file_storage id: the per-minute counts (budget accounting) survive restarts'),
});

export type Config = Infer<typeof configSchema>;

function parseDur(t: string): number {
  const m = /^(\d+)([smhd])$/.exec(t)!;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** A nominal (30-day) window scaled to an objective's window, at least 1 s, in whole ms. */
export function scaleWindow(nominalMs: number, periodMs: number): number {
  return Math.max(1000, Math.round((nominalMs * periodMs) / NOMINAL_PERIOD_MS / 1000) * 1000);
}

/** The bucket of the budget ledger: a minute for 30 days, scaled, at least 1 s. */
export function bucketMs(periodMs: number): number {
  return scaleWindow(60_000, periodMs);
}

export const windowLabel = (ms: number): string => formatDuration(ms);

export function validate(cfg: Config): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  cfg.objectives.forEach((o, i) => {
    const at = `objectives[${i}] (${o.name})`;
    if (names.has(o.name)) out.push(`${at}: name "${o.name}" is used twice`);
    names.add(o.name);
    if (!o.sli && !o.probe) out.push(`${at}: needs sli: {error, total} or probe: <receiver id>`);
    if (o.sli && o.probe) out.push(`${at}: sli and probe are exclusive`);
    for (const a of o.alerts ?? cfg.alerts) if (a.short_window > a.long_window) out.push(`${at}: alert ${a.severity}: short_window is longer than long_window`);
  });
  cfg.alerts.forEach((a, i) => {
    if (a.short_window > a.long_window) out.push(`alerts[${i}]: short_window is longer than long_window`);
  });
  return out;
}
