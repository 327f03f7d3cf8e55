// The `telemd` command line: every command is a spec in commands.ts, parsed strictly by it.
import { VERSION } from '../version.js';
import { COMMANDS, findSpec, groupOf, overview } from './commands.js';
import { CliError, EXIT } from './console-client.js';
import { checkArgs, helpText, parseCommandArgs, suggestCommand, type CommandSpec } from './spec.js';

export { VERSION };

export const EX_USAGE = EXIT.usage;
export const EX_CONFIG = EXIT.config;

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-v') return findSpec(['version'])!.run({ command: [], configs: [], sets: [], flags: new Set(), values: new Map() }, []);
  if (first === '--help' || first === '-h') {
    process.stdout.write(overview());
    return EXIT.ok;
  }
  // No command, or flags first: `telemd --config F` runs the agent, as before.
  const words = first === undefined || first.startsWith('-') ? ['run'] : groupOf(argv[0]!).length > 0 && argv[1] && !argv[1].startsWith('-') ? [argv[0], argv[1]] : [argv[0]!];
  const rest = first === undefined || first.startsWith('-') ? argv : argv.slice(words.length);
  const spec = findSpec(words);
  if (!spec) {
    const group = groupOf(words[0]!);
    if (group.length > 0) {
      const sub = words[1];
      const what = sub === undefined ? `telemd ${words[0]}: which one?` : `telemd ${words[0]}: unknown subcommand "${sub}"`;
      if (sub === undefined && rest.some((a) => a === '--help' || a === '-h')) {
        process.stdout.write(group.map(helpText).join('\n'));
        return EXIT.ok;
      }
      throw new CliError(`${what}\n${group.map((g) => `usage: ${g.usage}`).join('\n')}`, EXIT.usage);
    }
    throw new CliError(`telemd: unknown command "${words[0]}"${suggestCommand(words[0]!, COMMANDS)}\n\n${overview()}`, EXIT.usage);
  }
  return runSpec(spec, words, rest);
}

async function runSpec(spec: CommandSpec, words: string[], rest: string[]): Promise<number> {
  const args = parseCommandArgs(spec, rest, words);
  if (args.flags.has('--help')) {
    process.stdout.write(helpText(spec));
    return EXIT.ok;
  }
  const pos = checkArgs(spec, args);
  try {
    return await spec.run(args, pos);
  } catch (err) {
    // Name the command in its own errors ("telemd query: --step needs --range").
    if (err instanceof CliError && !err.message.startsWith('telemd')) throw new CliError(`telemd ${spec.name}: ${err.message}`, err.code);
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined && code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`${err.message.startsWith('telemd') ? '' : 'telemd: '}${err.message}\n`);
      process.exitCode = err.code;
      return;
    }
    process.stderr.write(`telemd: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.software;
  },
);
