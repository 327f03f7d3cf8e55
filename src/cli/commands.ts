// Every `telemd` command as a spec (src/cli/spec.ts): the dispatcher, help, the man page and
// bash completion read this one table.
import { VERSION } from '../version.js';
import type { Args } from './args.js';
import { bashCompletion } from './completion.js';
import { componentsCommand, printConfigCommand, validateCommand } from './config-commands.js';
import { CliError, EXIT } from './console-client.js';
import { CONSOLE_COMMANDS } from './console-commands.js';
import { manPage } from './manpage.js';
import { runCommand } from './run.js';
import { serviceCommand } from './service-command.js';
import { helpText, type CommandSpec } from './spec.js';

const CONFIG_FLAGS: CommandSpec['flags'] = {
  '--config': {
    value: true,
    arg: 'URI',
    repeat: true,
    help: 'config to load: a path, file:PATH, env:VAR (YAML in an environment variable) or yaml:INLINE (e.g. yaml:processors::batch::timeout: 2s); several merge in order; default the embedded config/default.yaml',
  },
  '--set': { value: true, arg: 'PATH=VALUE', repeat: true, help: 'override one value after the files (processors::batch::timeout=2s)' },
};

export const RUN_ENV: Record<string, string> = {
  TELEMD_LOG_LEVEL: 'log level until the config\'s service.telemetry.logs.level applies (debug, info, warn, error)',
  TELEMD_DATA_DIR: 'where the default config writes telemetry.jsonl (default ./data; the service sets /var/lib/telemd)',
  STATE_DIRECTORY: 'set by systemd (StateDirectory=): the default directory of file_storage',
  OTEL_RESOURCE_ATTRIBUTES: 'key=value,... added to the resource of every host receiver (host.name=web-1 names the host)',
  OTEL_SERVICE_NAME: 'service.name of the host receivers\' resource (becomes the Prometheus job)',
  NOTIFY_SOCKET: 'set by systemd (Type=notify): readiness, reload and stop are reported there; WATCHDOG_USEC pings the watchdog',
};

const runSpec: CommandSpec = {
  name: 'run',
  usage: 'telemd run [--config URI ...] [--set PATH=VALUE ...]',
  summary: 'Run the agent (the default command; without --config: the embedded config/default.yaml).',
  details:
    'Logs are pino JSON lines on stdout. A listener that cannot bind is named with the config key that\n' +
    'holds its address, on stderr and in the log. Shutdown (SIGTERM) stops receivers, flushes processors\n' +
    'and drains exporters within service.shutdown_timeout, whatever the state of stdout.',
  flags: CONFIG_FLAGS,
  positional: [0, 0],
  exitCodes: {
    [EXIT.ok]: 'stopped by a signal after a clean shutdown',
    [EXIT.usage]: '',
    [EXIT.unavailable]: 'a listener cannot bind its address (the message names the config key)',
    [EXIT.software]: 'a component failed to start or the shutdown failed',
    [EXIT.config]: '',
    1: 'a second SIGTERM/SIGINT during shutdown: exited at once',
  },
  env: RUN_ENV,
  signals: {
    SIGTERM: 'shut down (receivers first, then processors, then exporters drain); a second one exits at once',
    SIGINT: 'as SIGTERM',
    SIGHUP: 'reload the config: validated first, the running pipelines stay on any error',
  },
  run: async (args) => {
    // Exit explicitly once shut down: a lingering socket must not keep a stopped agent alive.
    const code = await runCommand(args);
    process.exit(code);
  },
};

const validateSpec: CommandSpec = {
  name: 'validate',
  usage: 'telemd validate [--config URI ...] [--set PATH=VALUE ...]',
  summary: 'Check a config: exit 0, or 78 with every error as file:line:col (warnings too).',
  details: 'Without --config it checks the embedded default config and says so.',
  flags: CONFIG_FLAGS,
  positional: [0, 0],
  exitCodes: { [EXIT.ok]: 'the config is valid', [EXIT.usage]: '', [EXIT.config]: '' },
  env: { 'any VAR': 'expanded where the config says ${env:VAR} or ${env:VAR:-default}' },
  run: async (args) => validateCommand(args),
};

const printConfigSpec: CommandSpec = {
  name: 'print-config',
  usage: 'telemd print-config [--config URI ...] [--set PATH=VALUE ...]',
  summary: 'Print the merged config with every default filled in, secrets redacted.',
  flags: CONFIG_FLAGS,
  positional: [0, 0],
  exitCodes: { [EXIT.ok]: '', [EXIT.usage]: '', [EXIT.config]: '' },
  run: async (args) => printConfigCommand(args),
};

const componentsSpec: CommandSpec = {
  name: 'components',
  usage: 'telemd components',
  summary: 'List every receiver, processor, exporter, connector and extension type telemd has.',
  flags: {},
  positional: [0, 0],
  run: async () => componentsCommand(),
};

const SERVICE_EXIT = { [EXIT.ok]: '', [EXIT.usage]: '', [EXIT.noPerm]: 'not root (try sudo, or --dry-run)', [EXIT.config]: '', [EXIT.software]: 'a step failed' };

const serviceInstallSpec: CommandSpec = {
  name: 'service install',
  usage: 'telemd service install [--config FILE] [--user NAME] [--unit-path FILE] [--copy-to DIR] [--dry-run]',
  summary: 'Install telemd as a systemd service (root): user, config, state directory, hardened unit.',
  details:
    'The unit runs this installation of telemd. A copy the service user cannot reach (under /root,\n' +
    '/home or /tmp, which the unit\'s ProtectHome=/PrivateTmp= hide) is refused unless --copy-to names a\n' +
    'directory to copy it to (e.g. /opt/telemd). The directories the config writes to (file exporter\n' +
    'paths, history and storage directories) become ReadWritePaths=.',
  flags: {
    '--config': { value: true, arg: 'FILE', help: 'config the service runs (default /etc/telemd/config.yaml, written from the embedded default when absent)' },
    '--user': { value: true, arg: 'NAME', help: 'service user (default telemd, created as a system user)' },
    '--unit-path': { value: true, arg: 'FILE', help: 'where to write the unit (default /etc/systemd/system/telemd.service)' },
    '--copy-to': { value: true, arg: 'DIR', help: 'copy this installation there first and run it from there' },
    '--dry-run': { value: false, help: 'print every step and the unit; change nothing' },
  },
  positional: [0, 0],
  exitCodes: SERVICE_EXIT,
  run: async (args) => serviceCommand(args),
};

const serviceUninstallSpec: CommandSpec = {
  name: 'service uninstall',
  usage: 'telemd service uninstall [--user NAME] [--unit-path FILE] [--purge] [--dry-run]',
  summary: 'Stop and remove the service and its user; --purge also removes /var/lib/telemd and /etc/telemd.',
  flags: {
    '--user': { value: true, arg: 'NAME', help: 'service user to remove (default telemd)' },
    '--unit-path': { value: true, arg: 'FILE', help: 'the unit to remove (default /etc/systemd/system/telemd.service)' },
    '--purge': { value: false, help: 'also remove the state directory and /etc/telemd' },
    '--dry-run': { value: false, help: 'print every step; change nothing' },
  },
  positional: [0, 0],
  exitCodes: SERVICE_EXIT,
  run: async (args) => serviceCommand(args),
};

const versionSpec: CommandSpec = {
  name: 'version',
  usage: 'telemd version   (or telemd --version)',
  summary: 'Print the version.',
  flags: {},
  positional: [0, 0],
  run: async () => {
    process.stdout.write(`telemd ${VERSION} (Node.js ${process.versions.node})\n`);
    return EXIT.ok;
  },
};

const helpSpec: CommandSpec = {
  name: 'help',
  usage: 'telemd help [COMMAND [SUBCOMMAND]]',
  summary: 'Without a command: the command list. With one: its flags, exit codes, environment and signals.',
  flags: {},
  positional: [0, 2],
  complete: 'commands',
  run: async (_args, pos) => {
    if (pos.length === 0) {
      process.stdout.write(overview());
      return EXIT.ok;
    }
    const spec = findSpec(pos);
    if (!spec) throw new CliError(`telemd help: no command "${pos.join(' ')}"\n\n${overview()}`, EXIT.usage);
    process.stdout.write(helpText(spec));
    return EXIT.ok;
  },
};

const completionSpec: CommandSpec = {
  name: 'completion',
  usage: 'telemd completion bash',
  summary: 'Print the bash completion script (source it, or install it as /usr/share/bash-completion/completions/telemd).',
  flags: {},
  positional: [1, 1],
  complete: ['bash'],
  run: async (_args, [shell]) => {
    if (shell !== 'bash') throw new CliError(`telemd completion: only bash is supported, not ${JSON.stringify(shell)}`, EXIT.usage);
    process.stdout.write(bashCompletion(COMMANDS));
    return EXIT.ok;
  },
};

const manSpec: CommandSpec = {
  name: 'man',
  usage: 'telemd man',
  summary: 'Print the man page (roff) generated from these specs; `man telemd` shows the installed copy.',
  flags: {},
  positional: [0, 0],
  run: async () => {
    process.stdout.write(manPage(COMMANDS));
    return EXIT.ok;
  },
};

export const COMMANDS: readonly CommandSpec[] = [
  runSpec,
  validateSpec,
  printConfigSpec,
  componentsSpec,
  serviceInstallSpec,
  serviceUninstallSpec,
  ...CONSOLE_COMMANDS,
  completionSpec,
  manSpec,
  helpSpec,
  versionSpec,
];

/** The spec named by the command words (`service install` takes two). */
export function findSpec(words: readonly string[]): CommandSpec | undefined {
  return COMMANDS.find((s) => s.name === words.slice(0, s.name.split(' ').length).join(' '));
}

/** Command words that only group subcommands (`service`). */
export function groupOf(word: string): CommandSpec[] {
  return COMMANDS.filter((s) => s.name.startsWith(`${word} `));
}

export function overview(): string {
  const rows = COMMANDS.filter((s) => !s.hidden).map((s) => [s.name, s.summary ?? ''] as const);
  const w = Math.max(...rows.map(([n]) => n.length)) + 2;
  return (
    `telemd ${VERSION} — per-host telemetry agent (OpenTelemetry Collector style)\n\n` +
    'usage: telemd COMMAND [flags]      (no command: run)\n\n' +
    'commands:\n' +
    rows.map(([n, s]) => `  ${n.padEnd(w)}${s}`).join('\n') +
    '\n\ntelemd help COMMAND (or telemd COMMAND --help) shows its flags, exit codes, environment and signals.\n'
  );
}

export type { Args };
