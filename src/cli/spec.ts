// Declarative command specs: flags each command takes (value or switch), so the parser (and a
// future stricter one) can check them, and usage text comes from one place.
import type { Args } from './args.js';
import { CliError, EXIT } from './console-client.js';

export interface CommandSpec {
  name: string;
  /** `telemd query 'EXPR' [--range D --step D] ...` */
  usage: string;
  /** Flag → takes a value, or is a switch; `help` for the usage text. */
  flags: Record<string, { value: boolean; help: string }>;
  /** Positional arguments after the command name: [min, max]. */
  positional: [number, number];
  run(args: Args, positional: string[]): Promise<number>;
}

/** Flags that connect to the agent, common to query, tap and top. */
export const CONNECT_FLAGS: CommandSpec['flags'] = {
  '--config': { value: true, help: 'the agent\'s config (its console endpoint and token file); default the embedded config' },
  '--set': { value: true, help: 'override a config value, as for run' },
  '--endpoint': { value: true, help: 'console host:port (instead of reading the config)' },
  '--token-file': { value: true, help: 'console token file (instead of reading the config)' },
};

/** Every flag any spec declares with a value (for the shared parser). */
export function valueFlags(specs: readonly CommandSpec[]): string[] {
  return specs.flatMap((s) => Object.entries(s.flags).filter(([, f]) => f.value).map(([n]) => n));
}

/** Refuses flags the command does not declare, and a wrong number of arguments (exit 64). */
export function checkArgs(spec: CommandSpec, args: Args): string[] {
  for (const f of [...args.flags, ...args.values.keys()]) {
    if (f === '--help' || f === '-h') continue;
    if (!(f in spec.flags)) throw new CliError(`telemd ${spec.name}: unknown flag ${f}\nusage: ${spec.usage}`, EXIT.usage);
  }
  for (const f of args.flags) if (spec.flags[f]?.value) throw new CliError(`telemd ${spec.name}: ${f} needs a value`, EXIT.usage);
  const pos = args.command.slice(1);
  const [min, max] = spec.positional;
  if (pos.length < min || pos.length > max) throw new CliError(`telemd ${spec.name}: expected ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${pos.length}\nusage: ${spec.usage}`, EXIT.usage);
  return pos;
}

export function helpText(spec: CommandSpec): string {
  const w = Math.max(...Object.keys(spec.flags).map((f) => f.length)) + 2;
  return `usage: ${spec.usage}\n${Object.entries(spec.flags).map(([f, d]) => `  ${f.padEnd(w)}${d.help}`).join('\n')}\n`;
}
