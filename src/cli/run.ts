import { Agent, ConfigInvalid } from '../service/agent.js';
import { findListenError } from '../net/listen-error.js';
import { factories } from '../registry.js';
import { hostIdentity } from '../resource/host.js';
import { stdoutDestination } from '../telemetry/log-destination.js';
import { createLogger } from '../telemetry/logger.js';
import type { Args } from './args.js';
import { EXIT } from './console-client.js';
import { configFiles } from './paths.js';
import { startedByPackageScript, watchParent } from './parent.js';

/** Past service.shutdown_timeout, the extra time stopping may take before the process exits anyway. */
const STOP_GRACE_MS = 5_000;
/** At exit, how long queued log lines may take to reach a slow stdout. */
const LOG_FLUSH_MS = 1_000;

export async function runCommand(args: Args): Promise<number> {
  const out = stdoutDestination();
  const logger = createLogger(process.env.TELEMD_LOG_LEVEL ?? 'info', out);
  const agent = new Agent({ files: configFiles(args), sets: args.sets, factories, logger });
  const finish = async (code: number): Promise<number> => {
    if (out.dropped > 0) process.stderr.write(`telemd: ${out.dropped} log lines were not written (stdout blocked or closed)\n`);
    await out.flush(LOG_FLUSH_MS);
    return code;
  };

  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (a component bug); the agent keeps running');
  });
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception: exiting so that the service manager restarts telemd');
    void out.flush(LOG_FLUSH_MS).then(() => process.exit(70));
  });
  for (const p of hostIdentity().problems) logger.warn({ detail: p }, 'host identity incomplete');

  try {
    await agent.start();
  } catch (err) {
    if (err instanceof ConfigInvalid) {
      for (const line of err.message.split('\n')) logger.error(line);
      process.stderr.write(`telemd: invalid config:\n${err.message}\n`);
      return finish(EXIT.config);
    }
    await agent.stop().catch(() => undefined);
    const listen = findListenError(err);
    if (listen) {
      // Said once, without a stack: which listener, which address, which config key to change.
      logger.fatal({ listener: listen.listener, address: listen.address, config_key: listen.configKey, code: listen.code }, listen.message);
      process.stderr.write(`telemd: ${listen.message}\n`);
      return finish(EXIT.unavailable);
    }
    logger.fatal({ err }, 'telemd failed to start');
    process.stderr.write(`telemd: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    return finish(EXIT.software);
  }

  // An agent whose components hold no handle (nop receivers, self-metrics off) must not exit
  // when Node's event loop runs dry: it runs until a signal.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  return new Promise<number>((resolve) => {
    let stopping = false;
    let unwatch = () => {};
    const stop = (signal: string) => {
      unwatch();
      if (stopping) {
        logger.warn({ signal }, 'second signal during shutdown: exiting now');
        void out.flush(200).then(() => process.exit(1));
        return;
      }
      stopping = true;
      logger.info({ signal }, 'signal received');
      // Whatever a component or stdout does, the process ends within the budget.
      const deadlineMs = agent.shutdownTimeoutMs + STOP_GRACE_MS;
      const deadline = setTimeout(() => {
        logger.error({ deadline_ms: deadlineMs }, 'shutdown did not finish in time: exiting');
        void finish(EXIT.software).then(resolve);
      }, deadlineMs);
      deadline.unref();
      agent.stop().then(
        () => finish(0).then(resolve),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          void finish(EXIT.software).then(resolve);
        },
      ).finally(() => {
        clearTimeout(deadline);
        clearInterval(keepAlive);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    if (startedByPackageScript())
      unwatch = watchParent((ppid) => {
        logger.warn({ ppid }, 'the npm process that started telemd is gone: stopping');
        stop('parent exited');
      });
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      logger.info('SIGHUP: reloading the config');
      void agent.reload();
    });
  });
}
