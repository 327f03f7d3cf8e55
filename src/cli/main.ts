// The `telemd` command line.
import { parseArgs, type Args } from './args.js';
import { runCommand } from './run.js';
import { componentsCommand, printConfigCommand, validateCommand } from './config-commands.js';
import { serviceCommand } from './service-command.js';
import { CONSOLE_COMMANDS, runConsoleCommand } from './console-commands.js';
import { VERSION } from '../version.js';

export { VERSION };

const USAGE = `telemd ${VERSION} — per-host telemetry agent

Usage:
  telemd run [--config F ...] [--set path=value ...]   run the agent (default: the embedded config)
  telemd validate --config F [--config F2 ...]          check a config; exit 78 listing every error
  telemd print-config --config F ...                    the merged, defaulted config, secrets redacted
  telemd components                                     every component type telemd has
  telemd service install [--config F] [--dry-run]       install as a systemd service (root)
  telemd service uninstall [--dry-run]                  remove the service
  telemd query 'EXPR' [--range 1h --step 10s] [--json]  PromQL over the running agent's history
  telemd tap COMPONENT [--outputs|--inputs] [--limit N] records passing a component, live
  telemd top                                            items/s per component, CPU, RSS (live)
  telemd --version
`;

export const EX_USAGE = 64;
export const EX_CONFIG = 78;

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`telemd: ${(err as Error).message}\n\n${USAGE}`);
    return EX_USAGE;
  }
  if (args.flags.has('--version') || args.flags.has('-v')) {
    process.stdout.write(`telemd ${VERSION}\n`);
    return 0;
  }
  const consoleCmd = CONSOLE_COMMANDS.find((c) => c.name === args.command[0]);
  if (consoleCmd) return runConsoleCommand(consoleCmd, args);
  if (args.flags.has('--help') || args.flags.has('-h') || args.command[0] === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (args.command[0] ?? 'run') {
    case 'run': {
      // Exit explicitly once shut down: a lingering socket must not keep a stopped agent alive.
      const code = await runCommand(args);
      process.exit(code);
    }
    case 'validate':
      return validateCommand(args);
    case 'print-config':
      return printConfigCommand(args);
    case 'components':
      return componentsCommand();
    case 'service':
      return serviceCommand(args);
    default:
      process.stderr.write(`telemd: unknown command "${args.command[0]}"\n\n${USAGE}`);
      return EX_USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined && code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`telemd: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
