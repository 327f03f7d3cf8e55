// The commands that talk to a running agent's console: query, tap, top.
import type { Args } from './args.js';
import { CliError, EXIT } from './console-client.js';
import { queryCommand } from './query-command.js';
import { checkArgs, helpText, type CommandSpec } from './spec.js';
import { tapCommand } from './tap-command.js';
import { topCommand } from './top-command.js';

export const CONSOLE_COMMANDS: readonly CommandSpec[] = [queryCommand, tapCommand, topCommand];

export async function runConsoleCommand(spec: CommandSpec, args: Args): Promise<number> {
  if (args.flags.has('--help') || args.flags.has('-h')) {
    process.stdout.write(helpText(spec));
    return EXIT.ok;
  }
  try {
    const pos = checkArgs(spec, args);
    return await spec.run(args, pos);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`telemd ${spec.name}: ${err.message}\n`);
      return err.code;
    }
    throw err;
  }
}
