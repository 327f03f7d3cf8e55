// Soak (TELEMD_SOAK=1): minutes of unique personal data through the processor with the hash
// action; memory must stay flat (the pseudonym cache is bounded) and every record must come out
// redacted. Run by hand: TELEMD_SOAK=1 npx vitest run test/processors/anonymization-soak
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import type { LogsData } from '../../src/pdata/types.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { factory } from '../../processors/anonymization/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const SECONDS = Number(process.env.TELEMD_SOAK_SECONDS ?? 120);

describe.skipIf(!process.env.TELEMD_SOAK)('anonymization soak', () => {
  it(`keeps memory flat over ${SECONDS}s of unique personal data`, async () => {
    const ctx = new ParseContext();
    const cfg = factory.config.parse({ hash_key: 'soak', detectors: { email: { action: 'hash' }, ipv4: { action: 'hash' } } }, ctx);
    expect(ctx.issues).toEqual([]);
    const set = { id: { type: 'anonymization', name: '', id: 'anonymization' }, kind: 'processor' as const, logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) };
    let leaked = 0;
    let records = 0;
    const p = factory.create(set, cfg, 'logs', {
      consume: async (d: LogsData) => {
        for (const r of d.resourceLogs[0]!.scopeLogs[0]!.logRecords) if (String(r.body).includes('@example.com')) leaked++;
      },
    });
    let i = 0;
    const batch = (): LogsData => ({
      resourceLogs: [{ resource: { attributes: {} }, scopeLogs: [{ scope: { name: 's' }, logRecords: Array.from({ length: 500 }, () => {
        i++;
        return { timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, body: `login user${i}@example.com from 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, attributes: { n: BigInt(i) } };
      }) }] }],
    });
    const end = Date.now() + SECONDS * 1000;
    let baseline = 0;
    const samples: number[] = [];
    while (Date.now() < end) {
      await p.consume(batch());
      records += 500;
      if (records % 200_000 === 0) {
        gc();
        const h = process.memoryUsage().heapUsed / 2 ** 20;
        if (!baseline) baseline = h;
        samples.push(Math.round(h));
      }
    }
    gc();
    const final = process.memoryUsage().heapUsed / 2 ** 20;
    console.log(`soak: ${records} records in ${SECONDS}s, heap MiB samples ${samples.join(' ')}, final ${final.toFixed(1)}`);
    expect(leaked).toBe(0);
    expect(final).toBeLessThan(baseline + 20);
  }, (SECONDS + 60) * 1000);
});
