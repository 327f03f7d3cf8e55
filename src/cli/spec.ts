// Declarative command specs: the flags each command takes, its exit codes, environment and
// signals. The parser, `--help`/`telemd help`, the man page and shell completion all come from
// these, so they cannot disagree.
import type { Args } from './args.js';
import { CliError, EXIT } from './console-client.js';

export interface FlagSpec {
  /** Takes a value (`--flag V` or `--flag=V`), or is a switch. */
  value: boolean;
  help: string;
  /** The value's name in usage text; FILE and DIR make shells complete paths. */
  arg?: string;
  /** Fixed choices (shells complete them). */
  choices?: readonly string[];
  /** May be given more than once (--config, --set). */
  repeat?: boolean;
}

export interface CommandSpec {
  /** `query`, or `service install` for a subcommand. */
  name: string;
  /** `telemd query 'EXPR' [--range D --step D] ...` */
  usage: string;
  /** One line for the command list. */
  summary?: string;
  /** A paragraph for help and the man page. */
  details?: string;
  flags: Record<string, FlagSpec>;
  /** Positional arguments after the command name: [min, max]. */
  positional: [number, number];
  /** What shells complete for positional arguments. */
  complete?: 'commands' | 'components' | readonly string[];
  /** Exit codes this command uses (meanings from EXIT_MEANING unless given). */
  exitCodes?: Record<number, string>;
  env?: Record<string, string>;
  signals?: Record<string, string>;
  /** Not in the command list (still works, still has help). */
  hidden?: boolean;
  run(args: Args, positional: string[]): Promise<number>;
}

/** sysexits.h meanings shared by every command. */
export const EXIT_MEANING: Record<number, string> = {
  [EXIT.ok]: 'success',
  [EXIT.usage]: 'unknown command or flag, or a wrong argument (the usage is printed)',
  [EXIT.dataErr]: 'the agent refused the request as invalid',
  [EXIT.unavailable]: 'the agent (or a listener address) is not available',
  [EXIT.software]: 'internal failure',
  [EXIT.noPerm]: 'permission denied (token, or not root)',
  [EXIT.config]: 'the config is invalid (every error printed as file:line:col)',
};

/** Flags that connect to the agent, common to query, tap and top. */
export const CONNECT_FLAGS: CommandSpec['flags'] = {
  '--config': { value: true, arg: 'FILE', help: 'the agent\'s config (its console endpoint and token file); default the embedded config' },
  '--set': { value: true, arg: 'PATH=VALUE', repeat: true, help: 'override a config value, as for run' },
  '--endpoint': { value: true, arg: 'HOST:PORT', help: 'console host:port (instead of reading the config)' },
  '--token-file': { value: true, arg: 'FILE', help: 'console token file (instead of reading the config)' },
};

export const CONSOLE_EXIT_CODES = [EXIT.ok, EXIT.usage, EXIT.dataErr, EXIT.unavailable, EXIT.software, EXIT.noPerm, EXIT.config];

/** Every flag any spec declares with a value. */
export function valueFlags(specs: readonly CommandSpec[]): string[] {
  return specs.flatMap((s) => Object.entries(s.flags).filter(([, f]) => f.value).map(([n]) => n));
}

export function usageError(spec: CommandSpec, message: string): CliError {
  return new CliError(`${message}\nusage: ${spec.usage}\n(telemd help ${spec.name} for every flag)`, EXIT.usage);
}

/**
 * Parses argv (after the command name) by the spec: `--flag V`, `--flag=V`, switches, `-h`,
 * `--` ending the flags. Unknown flags, a missing value, a value given to a switch or a wrong
 * number of arguments are usage errors (exit 64) that print this command's usage.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[], commandWords: string[]): Args {
  const a: Args = { command: [...commandWords], configs: [], sets: [], flags: new Set(), values: new Map() };
  let flagsDone = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (flagsDone || arg === '-' || !arg.startsWith('-')) {
      a.command.push(arg);
      continue;
    }
    if (arg === '--') {
      flagsDone = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      a.flags.add('--help');
      continue;
    }
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const f = spec.flags[arg];
    if (!f) throw usageError(spec, `telemd ${spec.name}: unknown flag ${arg}${nearest(arg, Object.keys(spec.flags))}`);
    if (!f.value) {
      if (value !== undefined) throw usageError(spec, `telemd ${spec.name}: ${arg} takes no value`);
      a.flags.add(arg);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw usageError(spec, `telemd ${spec.name}: ${arg} needs a value${f.arg ? ` (${f.arg})` : ''}`);
    }
    if (f.choices && !f.choices.includes(value)) throw usageError(spec, `telemd ${spec.name}: ${arg} ${JSON.stringify(value)}: one of ${f.choices.join(', ')}`);
    if (arg === '--config') a.configs.push(value);
    else if (arg === '--set') a.sets.push(value);
    else a.values.set(arg, value);
  }
  return a;
}

/** The positional arguments, checked against the spec's count (exit 64). */
export function checkArgs(spec: CommandSpec, args: Args): string[] {
  const pos = args.command.slice(spec.name.split(' ').length);
  const [min, max] = spec.positional;
  if (pos.length < min || pos.length > max) {
    const want = max === 0 ? 'no arguments' : `${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}`;
    throw usageError(spec, `telemd ${spec.name}: expected ${want}, got ${pos.length}${pos.length > max ? ` (${pos.slice(max).map((p) => JSON.stringify(p)).join(' ')})` : ''}`);
  }
  return pos;
}

function nearest(word: string, options: string[]): string {
  let best: string | undefined;
  let bestD = 3;
  for (const o of options) {
    const d = editDistance(word, o);
    if (d < bestD) [best, bestD] = [o, d];
  }
  return best ? `; did you mean ${best}?` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function suggestCommand(word: string, specs: readonly CommandSpec[]): string {
  return nearest(word, specs.filter((s) => !s.hidden).map((s) => s.name.split(' ')[0]!));
}

function flagLabel(name: string, f: FlagSpec): string {
  return f.value ? `${name} ${f.arg ?? 'VALUE'}` : name;
}

function section(title: string, rows: [string, string][]): string {
  if (rows.length === 0) return '';
  const w = Math.min(28, Math.max(...rows.map(([k]) => k.length)) + 2);
  return `\n${title}:\n${rows.map(([k, v]) => (k.length + 2 > w ? `  ${k}\n  ${''.padEnd(w)}${v}` : `  ${k.padEnd(w)}${v}`)).join('\n')}\n`;
}

export function exitCodes(spec: CommandSpec): [number, string][] {
  const codes = spec.exitCodes ?? { [EXIT.ok]: '', [EXIT.usage]: '' };
  return Object.entries(codes).map(([c, m]) => [Number(c), m || EXIT_MEANING[Number(c)] || '']);
}

/** `telemd help CMD` and `telemd CMD --help`: usage, flags, exit codes, environment, signals. */
export function helpText(spec: CommandSpec): string {
  const flags: [string, string][] = Object.entries(spec.flags).map(([n, f]) => [flagLabel(n, f), f.help + (f.repeat ? ' (repeatable)' : '') + (f.choices ? ` (${f.choices.join(', ')})` : '')]);
  flags.push(['-h, --help', 'this help']);
  return (
    `usage: ${spec.usage}\n` +
    (spec.summary || spec.details ? `\n${[spec.summary, spec.details].filter(Boolean).join('\n\n')}\n` : '') +
    section('flags', flags) +
    section('exit codes', exitCodes(spec).map(([c, m]) => [String(c), m])) +
    section('environment', Object.entries(spec.env ?? {})) +
    section('signals', Object.entries(spec.signals ?? {}))
  );
}
