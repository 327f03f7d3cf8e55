// Listeners: UDP (IPv4/IPv6), TCP (newline-separated) and Unix datagram sockets. Each hands
// whole packets (or TCP lines) to `onPacket`.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { parseEndpoint } from '../../src/util/endpoint.js';

export interface Listener {
  /** Where it listens, e.g. 127.0.0.1:8125 or the socket path (port 0 resolved). */
  address: string;
  close(): Promise<void>;
}

export function splitHostPort(endpoint: string): { host: string; port: number } {
  const ep = parseEndpoint(endpoint);
  if (!ep) throw new Error(`statsd: endpoint ${JSON.stringify(endpoint)} is not host:port`);
  // A UDP socket binds one family: localhost is taken as IPv4.
  return ep.host === 'localhost' ? { ...ep, host: '127.0.0.1' } : ep;
}

export async function listenUdp(endpoint: string, family: 'udp' | 'udp4' | 'udp6', onPacket: (b: Buffer) => void, onError: (e: Error) => void): Promise<Listener> {
  const { host, port } = splitHostPort(endpoint);
  const sock: UdpSocket = createSocket({ type: family === 'udp6' || (family === 'udp' && isIPv6(host)) ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.on('error', onError);
  sock.on('message', (msg) => onPacket(msg));
  const a = sock.address();
  return { address: `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`, close: () => new Promise((r) => sock.close(() => r())) };
}

/** The longest TCP line kept (a UDP datagram's limit): a longer one is skipped to its newline. */
export const MAX_TCP_LINE = 65_535;

/**
 * `onOverlong` is told of each line longer than MAX_TCP_LINE: without the bound a client that
 * never sends a newline made the receiver keep (and re-scan) everything it sent.
 */
export async function listenTcp(endpoint: string, onPacket: (b: Buffer) => void, onError: (e: Error) => void, onOverlong: () => void = () => {}): Promise<Listener> {
  const { host, port } = splitHostPort(endpoint);
  const conns = new Set<Socket>();
  const srv: Server = createServer((c) => {
    conns.add(c);
    let rest = '';
    let skipping = false;
    c.setEncoding('utf8');
    c.on('data', (chunk: string) => {
      let text = chunk;
      if (skipping) {
        const nl = text.indexOf('\n');
        if (nl < 0) return;
        skipping = false;
        text = text.slice(nl + 1);
      }
      text = rest + text;
      const cut = text.lastIndexOf('\n');
      if (cut < 0) rest = text;
      else {
        rest = text.slice(cut + 1);
        onPacket(Buffer.from(text.slice(0, cut)));
      }
      if (rest.length > MAX_TCP_LINE) {
        rest = '';
        skipping = true;
        onOverlong();
      }
    });
    c.on('end', () => {
      if (rest && !skipping) onPacket(Buffer.from(rest));
    });
    c.on('error', () => {});
    c.on('close', () => conns.delete(c));
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => resolve());
  });
  srv.on('error', onError);
  const a = srv.address();
  const addr = typeof a === 'object' && a ? `${a.address}:${a.port}` : endpoint;
  return {
    address: addr,
    close: () =>
      new Promise((r) => {
        for (const c of conns) c.end();
        srv.close(() => r());
      }),
  };
}

export async function listenUnixgram(path: string, mode: number, onPacket: (b: Buffer) => void, onError: (e: Error) => void): Promise<Listener> {
  // A socket file left by a previous run would make bind fail; never remove anything else.
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
    else throw new Error(`statsd: ${path} exists and is not a socket`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // unix-dgram (a small node-gyp addon) because Node's dgram has no AF_UNIX datagram sockets;
  // the agent uses the same one for sd_notify.
  const require = createRequire(import.meta.url);
  const ud = require('unix-dgram') as typeof import('unix-dgram');
  const sock = ud.createSocket('unix_dgram', (b: Buffer) => onPacket(b));
  sock.on('error', onError);
  sock.bind(path);
  chmodSync(path, mode);
  return {
    address: path,
    close: async () => {
      sock.close();
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}
