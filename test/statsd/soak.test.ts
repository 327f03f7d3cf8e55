// Soak (TELEMD_SOAK=1, run by hand): 1M StatsD lines over UDP in 20-line packets; every line
// that reached the socket is counted (compared with the kernel's UDP receive-buffer drops).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { ParseContext } from '../../src/config/schema.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { configSchema } from '../../receivers/statsd/config.js';
import { StatsdReceiver } from '../../receivers/statsd/receiver.js';
import type { Host } from '../../src/component/component.js';
import type { MetricsData } from '../../src/pdata/types.js';

const udpDrops = () => {
  const [h, v] = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:')).map((l) => l.split(' '));
  return Number(v![h!.indexOf('RcvbufErrors')]);
};

describe.skipIf(!process.env.TELEMD_SOAK)('statsd soak', () => {
  it('counts every delivered line of 1M', async () => {
    const cfg = configSchema.parse({ endpoint: '127.0.0.1:0', aggregation_interval: '1s' }, new ParseContext());
    const got: MetricsData[] = [];
    const r = new StatsdReceiver(
      { id: { type: 'statsd', name: '', id: 'statsd' }, kind: 'receiver', logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) },
      cfg,
      { consume: async (d) => void got.push(d) },
    );
    await r.start({} as Host);
    const port = Number(r.address!.split(':')[1]);
    const lines = 1_000_000;
    const per = 20;
    const rate = Number(process.env.SOAK_LINES_PER_SEC ?? 100_000);
    const drops0 = udpDrops();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // A separate sender process, paced: the receiver's event loop is not shared with it.
    const py = `
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
per, lines, rate = ${per}, ${lines}, ${rate}
pkts = [("\\n".join(("soak.c:1|c|#k:%d" % ((i * per + j) % 50)) if j % 2 == 0 else ("soak.t:%d|ms" % j) for j in range(per))).encode() for i in range(50)]
t0 = time.time()
for i in range(lines // per):
    s.sendto(pkts[i % 50], ("127.0.0.1", ${port}))
    if i % 100 == 0:
        ahead = t0 + (i * per) / rate - time.time()
        if ahead > 0: time.sleep(ahead)
`;
    await new Promise<void>((res, rej) => spawn('python3', ['-c', py], { stdio: 'inherit' }).on('exit', (code) => (code === 0 ? res() : rej(new Error(`sender ${code}`)))));
    await new Promise((res) => setTimeout(res, 500));
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await r.shutdown();
    let counted = 0;
    let timed = 0;
    for (const d of got)
      for (const m of d.resourceMetrics[0]!.scopeMetrics[0]!.metrics) {
        if (m.type === 'sum') for (const p of m.dataPoints) counted += Number(p.value);
        if (m.type === 'exponentialHistogram') for (const p of m.dataPoints) timed += p.count;
      }
    const drops = udpDrops() - drops0;
    console.log(`${lines} lines at ${rate}/s target in ${secs.toFixed(1)} s: receiver CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (${(((cpu.user + cpu.system) / lines) * 1000).toFixed(0)} ns/line); counted ${counted} + timed ${timed}, kernel UDP receive-buffer drops ${drops}`);
    expect(counted + timed + drops * per).toBeGreaterThanOrEqual(lines);
    expect(counted + timed).toBeLessThanOrEqual(lines);
  }, 900_000);
});
