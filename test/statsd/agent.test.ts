// End to end through the real agent (dist/telemd.js): StatsD packets over UDP and a Unix
// datagram socket, hostmetrics and ipc, all written by the file exporter; SIGTERM flushes the
// last StatsD interval before exit.
import { describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent, tempDir } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';

describe('statsd, hostmetrics and ipc in the real agent', () => {
  it('receives StatsD over UDP and unixgram and writes all three receivers to the file exporter', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.jsonl');
    const sock = join(dir, 'statsd.sock');
    const port = await freePort();
    const a = await startAgent({
      dir,
      config: `
receivers:
  statsd:
    endpoint: 127.0.0.1:${port}
    aggregation_interval: 1h
  statsd/unix:
    transport: unixgram
    endpoint: ${sock}
    aggregation_interval: 1h
  hostmetrics:
    collection_interval: 1s
    scrapers: { cpu: , memory: , filesystem: }
  ipc:
    collection_interval: 1s
exporters:
  file:
    path: ${out}
    flush_interval: 100ms
service:
  pipelines:
    metrics:
      receivers: [statsd, statsd/unix, hostmetrics, ipc]
      exporters: [file]
`,
    });
    try {
      const c = createSocket('udp4');
      await new Promise<void>((r) => c.send('e2e.requests:3|c|#route:/x\ne2e.bad line\ne2e.temp:21.5|g', port, '127.0.0.1', () => r()));
      c.close();
      execFileSync('python3', ['-c', `import socket\ns=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.sendto(b"e2e.unix.jobs:4|c", ${JSON.stringify(sock)})`]);
      const end = Date.now() + 15_000;
      while (!(existsSync(out) && /system\.ipc\.msg\.queues/.test(readFileSync(out, 'utf8')) && /system\.cpu\.time/.test(readFileSync(out, 'utf8')))) {
        if (Date.now() > end) throw new Error('no hostmetrics/ipc output');
        await new Promise((r) => setTimeout(r, 200));
      }
      // StatsD aggregates for an hour: nothing yet.
      expect(readFileSync(out, 'utf8')).not.toMatch(/e2e\.requests/);
    } finally {
      expect(await a.stop()).toBe(0);
    }
    const text = readFileSync(out, 'utf8');
    for (const name of ['e2e.requests', 'e2e.temp', 'e2e.unix.jobs', 'system.cpu.time', 'system.memory.usage', 'system.filesystem.usage', 'system.ipc.unix.sockets'])
      expect(text, name).toContain(`"${name}"`);
    expect(a.logs.some((l) => l.msg === 'malformed statsd line skipped')).toBe(true);
    expect(existsSync(sock)).toBe(false);
  });
});
