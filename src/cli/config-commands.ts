import { stringify } from 'yaml';
import { connectorPairs } from '../component/component.js';
import { presentConfig, resolveConfig } from '../config/resolve.js';
import { formatConfigError } from '../config/sources.js';
import { factories } from '../registry.js';
import type { Args } from './args.js';
import { configFiles } from './paths.js';

const EX_CONFIG = 78;

export function validateCommand(args: Args): number {
  const files = configFiles(args);
  if (args.configs.length === 0) process.stderr.write(`telemd validate: no --config given: validating the embedded default config ${files[0]}\n`);
  const r = resolveConfig({ files, sets: args.sets, factories });
  for (const w of r.warnings) process.stderr.write(`warning: ${formatConfigError(w)}\n`);
  if (r.errors.length > 0) {
    process.stderr.write(`${r.errors.map(formatConfigError).join('\n')}\n`);
    process.stderr.write(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'}: the config is invalid\n`);
    return EX_CONFIG;
  }
  const n = r.config!.pipelines.length;
  process.stdout.write(`${files.join(' + ')}${args.sets.length ? ` (+ ${args.sets.length} --set)` : ''}: config is valid (${n} pipeline${n === 1 ? '' : 's'})\n`);
  return 0;
}

export function printConfigCommand(args: Args): number {
  const r = resolveConfig({ files: configFiles(args), sets: args.sets, factories });
  if (!r.config) {
    process.stderr.write(`${r.errors.map(formatConfigError).join('\n')}\n`);
    return EX_CONFIG;
  }
  process.stdout.write(stringify(presentConfig(r.config)));
  return 0;
}

export function componentsCommand(): number {
  const kinds = ['receiver', 'processor', 'exporter', 'connector', 'extension'] as const;
  const lines: string[] = [];
  for (const kind of kinds) {
    lines.push(`${kind}s:`);
    for (const f of factories.filter((x) => x.kind === kind).sort((a, b) => a.type.localeCompare(b.type))) {
      const signals =
        f.kind === 'connector' ? ` [${connectorPairs(f).map(([a, b]) => `${a} → ${b}`).join(', ')}]` : 'signals' in f ? ` [${f.signals.join(', ')}]` : '';
      lines.push(`  ${f.type.padEnd(24)} ${f.description}${signals}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
