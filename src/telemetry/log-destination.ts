// Where the agent's pino lines go: stdout, through a destination that can never block the
// process. A pipe whose reader stopped reading (or whose reader exited while another process
// keeps it open) fills up; pino's default synchronous writes then spin or block in write(2) and
// the agent ignores SIGTERM. Pipes and sockets are written through a non-blocking libuv stream
// instead, with a bounded backlog (the oldest lines kept, later ones counted as dropped); EPIPE
// ends writing for good; regular files and terminals are written synchronously (they do not
// stay blocked). At exit, flush() waits for the backlog only up to a deadline.
import { fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';

export interface LogDestination {
  write(line: string): boolean;
  /** Resolves once everything queued is written, or after `ms`, whichever comes first. */
  flush(ms: number): Promise<void>;
  /** Lines not written: backlog full, or stdout gone (EPIPE). */
  readonly dropped: number;
}

/** A backlog above this is a stuck reader, not a burst: later lines are dropped (and counted). */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

export function stdoutDestination(fd = 1, maxBacklog = MAX_BACKLOG_BYTES): LogDestination {
  let kind: 'stream' | 'sync' | 'none' = 'sync';
  try {
    const st = fstatSync(fd);
    kind = st.isFIFO() || st.isSocket() ? 'stream' : 'sync';
  } catch {
    kind = 'none';
  }
  let dropped = 0;
  let broken = kind === 'none';

  if (kind === 'stream') {
    let sock: Socket | undefined;
    try {
      sock = new Socket({ fd, readable: false, writable: true });
      // A log stream must never keep the process alive on its own.
      sock.unref();
      sock.on('error', () => {
        broken = true;
        sock?.destroy();
      });
    } catch {
      kind = 'sync';
    }
    if (sock)
      return {
        write(line) {
          if (broken || sock!.destroyed) {
            dropped++;
            return false;
          }
          if (sock!.writableLength > maxBacklog) {
            dropped++;
            return false;
          }
          sock!.write(line);
          return true;
        },
        flush(ms) {
          if (broken || sock!.writableLength === 0) return Promise.resolve();
          return new Promise((resolve) => {
            const t = setTimeout(done, ms);
            function done() {
              clearTimeout(t);
              sock!.off('drain', done);
              sock!.off('close', done);
              resolve();
            }
            sock!.once('drain', done);
            sock!.once('close', done);
          });
        },
        get dropped() {
          return dropped;
        },
      };
  }

  return {
    write(line) {
      if (broken) {
        dropped++;
        return false;
      }
      try {
        writeSync(fd, line);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // EAGAIN: a non-blocking terminal is busy; the line is lost rather than the agent stuck.
        if (code !== 'EAGAIN') broken = true;
        dropped++;
        return false;
      }
    },
    flush: () => Promise.resolve(),
    get dropped() {
      return dropped;
    },
  };
}
