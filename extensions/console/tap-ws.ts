// The tap over WebSocket: the same lines as the NDJSON stream, one text message each, on
// `GET /api/v1/tap` with `Upgrade: websocket`. The console's gate (Host, Origin, token or
// session) runs on the upgrade request before anything is attached; `ws` is loaded on the
// first upgrade only, so an agent nobody taps never pays for it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { TapStream } from './tap.js';

/** Above this many bytes queued on the socket the pump waits (the tap's buffer drops meanwhile). */
const HIGH_WATER = 256 * 1024;

export class TapSockets {
  private wss?: WebSocketServer;
  private readonly open = new Set<WebSocket>();

  /** Completes the handshake (ws answers 400 to a malformed one) and streams `tap` until it ends. */
  async accept(req: IncomingMessage, socket: Duplex, head: Buffer, tap: TapStream): Promise<void> {
    if (!this.wss) {
      const { WebSocketServer } = await import('ws');
      // Readers send nothing but control frames: a small payload limit, no compression state.
      this.wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false, clientTracking: false });
    }
    let upgraded = false;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      void this.stream(ws, tap);
    });
    // A handshake ws refused (bad key or version) never calls back: detach the tap.
    socket.once('close', () => upgraded || tap.close());
  }

  private async stream(ws: WebSocket, tap: TapStream): Promise<void> {
    this.open.add(ws);
    const stop = new AbortController();
    ws.on('close', () => stop.abort());
    ws.on('error', () => stop.abort());
    // Messages from the reader mean nothing here; ws answers pings itself.
    ws.on('message', () => {});
    try {
      ws.send(tap.head);
      const write = (line: string): Promise<void> | undefined => {
        if (ws.readyState !== ws.OPEN) return undefined;
        if (ws.bufferedAmount < HIGH_WATER) {
          ws.send(line);
          return undefined;
        }
        return new Promise<void>((r) => {
          ws.send(line, () => r());
          stop.signal.addEventListener('abort', () => r(), { once: true });
        });
      };
      const last = await tap.pump(write, stop.signal);
      if (ws.readyState === ws.OPEN) {
        ws.send(last);
        const reason = (JSON.parse(last) as { end: string }).end;
        ws.close(1000, reason.slice(0, 100));
      }
    } catch {
      ws.terminate();
    } finally {
      tap.close();
      this.open.delete(ws);
    }
  }

  /** Closes every stream (the console is stopping): 1001 "going away". */
  closeAll(): void {
    for (const ws of this.open) ws.close(1001, 'console stopping');
    this.open.clear();
  }
}
