/** Minimal flag parsing: repeated --config/--set, --flag=value and --flag value forms. */
export interface Args {
  command: string[];
  configs: string[];
  sets: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

import { CONSOLE_COMMANDS } from './console-commands.js';
import { valueFlags } from './spec.js';

const WITH_VALUE = new Set(['--config', '--set', '--user', '--unit-path', '--prefix', ...valueFlags(CONSOLE_COMMANDS)]);

export function parseArgs(argv: string[]): Args {
  const a: Args = { command: [], configs: [], sets: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (WITH_VALUE.has(arg)) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new Error(`${arg} needs a value`);
      }
      if (arg === '--config') a.configs.push(value);
      else if (arg === '--set') a.sets.push(value);
      else a.values.set(arg, value);
    } else if (arg.startsWith('-')) {
      a.flags.add(arg);
    } else {
      a.command.push(arg);
    }
  }
  return a;
}
