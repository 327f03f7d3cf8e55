import { Agent, ConfigInvalid } from '../service/agent.js';
import { factories } from '../registry.js';
import { createLogger } from '../telemetry/logger.js';
import type { Args } from './args.js';
import { configFiles } from './paths.js';
import { startedByPackageScript, watchParent } from './parent.js';

export async function runCommand(args: Args): Promise<number> {
  const logger = createLogger(process.env.TELEMD_LOG_LEVEL ?? 'info');
  const agent = new Agent({ files: configFiles(args), sets: args.sets, factories, logger });

  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (a component bug); the agent keeps running');
  });
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception: exiting so that the service manager restarts telemd');
    process.exit(70);
  });

  try {
    await agent.start();
  } catch (err) {
    if (err instanceof ConfigInvalid) {
      for (const line of err.message.split('\n')) logger.error(line);
      process.stderr.write(`telemd: invalid config:\n${err.message}\n`);
      return 78;
    }
    logger.fatal({ err }, 'telemd failed to start');
    await agent.stop().catch(() => undefined);
    return 70;
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
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'signal received');
      agent.stop().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolve(70);
        },
      ).finally(() => clearInterval(keepAlive));
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
