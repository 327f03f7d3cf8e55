// How `telemd query|tap|top` reach the running agent: the console endpoint and token file from
// --endpoint/--token-file, else from the config (--config, or the default config), and clear
// words (and exit codes) when the agent is not running or the token cannot be read.
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { resolveConfig } from '../config/resolve.js';
import { formatConfigError } from '../config/sources.js';
import { factories } from '../registry.js';
import type { Args } from './args.js';
import { configFiles } from './paths.js';

/** Exit codes of the console commands (sysexits.h), documented in the README. */
export const EXIT = {
  ok: 0,
  /** Bad flags or arguments. */
  usage: 64,
  /** The agent refused the request as invalid (a PromQL error, an unknown component). */
  dataErr: 65,
  /** The agent is not running / not reachable, or its config has no console. */
  unavailable: 69,
  /** The agent failed the request (HTTP 5xx, a broken answer). */
  software: 70,
  /** The token file cannot be read, or the agent refused the token (401/403). */
  noPerm: 77,
  /** The config given with --config is invalid. */
  config: 78,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export interface ConsoleTarget {
  host: string;
  port: number;
  token: string;
  /** For messages: where the endpoint and token came from. */
  origin: string;
}

const CONSOLE_TYPE = 'console';

export function findConsole(args: Args): ConsoleTarget {
  let endpoint = args.values.get('--endpoint');
  let tokenFile = args.values.get('--token-file');
  let origin = '--endpoint';
  if (endpoint === undefined || tokenFile === undefined) {
    const files = configFiles(args);
    const r = resolveConfig({ files, sets: args.sets, factories });
    if (!r.config) throw new CliError(`the config is invalid:\n${r.errors.map(formatConfigError).join('\n')}`, EXIT.config);
    const ext = [...r.config.components.extension.values()].find((c) => c.factory.type === CONSOLE_TYPE && r.config!.service.extensions.includes(c.id.id));
    if (!ext) {
      if (endpoint === undefined || tokenFile === undefined)
        throw new CliError(`${files.join(', ')} runs no console extension (add console to extensions and service.extensions), or give --endpoint and --token-file`, EXIT.unavailable);
    } else {
      const cfg = ext.config as { endpoint: string; token_file: string };
      endpoint ??= cfg.endpoint;
      tokenFile ??= cfg.token_file;
      origin = `the console of ${files.join(', ')}`;
    }
  }
  const ep = endpoint!.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(ep);
  if (!m) throw new CliError(`--endpoint ${JSON.stringify(endpoint)}: expected host:port`, EXIT.usage);
  let host = m[1] ?? m[2] ?? '';
  // A console listening on every interface is reached on loopback.
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  let token: string;
  try {
    token = readFileSync(tokenFile!, 'utf8').trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'does not exist (the agent creates it at its first start: is it running with this config?)' : e.code === 'EACCES' ? 'is not readable by this user (run as the agent\'s user, or with sudo)' : e.message;
    throw new CliError(`cannot read the console token: ${tokenFile} ${why}`, EXIT.noPerm);
  }
  if (token === '') throw new CliError(`the console token file ${tokenFile} is empty`, EXIT.noPerm);
  return { host, port: Number(m[3]), token, origin };
}

export interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

function unreachable(t: ConsoleTarget, err: NodeJS.ErrnoException): CliError {
  const where = `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  if (err.code === 'ECONNREFUSED') return new CliError(`the agent is not running (nothing listens on ${where}, ${t.origin})`, EXIT.unavailable);
  return new CliError(`cannot reach the agent's console at ${where}: ${err.message}`, EXIT.unavailable);
}

function refused(status: number, body: ApiAnswer<unknown> | undefined): CliError {
  const msg = body?.error ?? `HTTP ${status}`;
  if (status === 401 || status === 403) return new CliError(`the agent refused the token: ${msg}`, EXIT.noPerm);
  if (status === 503) return new CliError(msg, EXIT.unavailable);
  if (status >= 500) return new CliError(`the agent failed: ${msg}`, EXIT.software);
  return new CliError(msg, EXIT.dataErr);
}

/** GET (or POST a form) and parse the Prometheus-style envelope; throws CliError. */
export function apiCall<T>(t: ConsoleTarget, path: string, form?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const body = form?.toString();
    const req = request(
      {
        host: t.host,
        port: t.port,
        path,
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${t.token}`, ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        signal,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          let json: ApiAnswer<T> | undefined;
          try {
            json = JSON.parse(text) as ApiAnswer<T>;
          } catch {
            json = undefined;
          }
          if (res.statusCode === 200 && json?.status === 'success') resolve(json.data as T);
          else reject(refused(res.statusCode ?? 0, json));
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(err.name === 'AbortError' ? err : unreachable(t, err)));
    req.end(body);
  });
}

/** Opens a streaming GET; resolves with the response once its status is 200. */
export function apiStream(t: ConsoleTarget, path: string, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: t.host, port: t.port, path, headers: { authorization: `Bearer ${t.token}` }, signal }, (res) => {
      if (res.statusCode === 200) return resolve(res);
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: ApiAnswer<unknown> | undefined;
        try {
          json = JSON.parse(text) as ApiAnswer<unknown>;
        } catch {
          json = undefined;
        }
        reject(refused(res.statusCode ?? 0, json));
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(err.name === 'AbortError' ? err : unreachable(t, err)));
    req.end();
  });
}
