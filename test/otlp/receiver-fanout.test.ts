// OTLP partial success behind a fan-out (two exporters of one pipeline): the client gets 200 with
// partial_success, and only the refused items are counted as refused (review minor finding).
import { afterEach, describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import { ConsumerError, consumerOf, type Consumer } from '../../src/component/consumer.js';
import type { Receiver } from '../../src/component/component.js';
import { decodeExportResponse, encodeProto } from '../../src/otlp/index.js';
import type { LogsData } from '../../src/pdata/types.js';
import { fanout } from '../../src/service/fanout.js';
import { factory } from '../../receivers/otlp/index.js';
import { freePort } from '../helpers/ports.js';
import { observedAll } from '../helpers/observe.js';
import { logs } from '../exporterhelper/fixtures.js';
import { host, metricValue, settings } from './helpers.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('otlp receiver behind a fan-out', () => {
  it('answers partial success with the largest partial refusal of the branches', async () => {
    const port = await freePort();
    const set = settings('otlp', 'receiver');
    const cfg = factory.config.parse({ protocols: { http: { endpoint: `127.0.0.1:${port}` } } }, new ParseContext());
    const partial = (n: number): Consumer<LogsData> => consumerOf(() => Promise.reject(ConsumerError.permanent(`${n} bad`, { rejectedItems: n })));
    const exporters = fanout<LogsData>([partial(3), consumerOf(() => {}), partial(4)], false);
    const r = factory.create(set, cfg, observedAll(set, { logs: exporters })) as Receiver;
    await r.start(host);
    stop = () => r.shutdown();

    const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
      method: 'POST', body: encodeProto('logs', logs('p', 10)), headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(res.status).toBe(200);
    const ps = decodeExportResponse(new Uint8Array(await res.arrayBuffer()));
    expect(ps?.rejected).toBe(4);
    expect(ps?.errorMessage).toBe('3 bad; 4 bad');
    expect(metricValue(set.registry, 'telemd_receiver_refused_items_total', { signal: 'logs', reason: 'permanent' })).toBe(4);
    expect(metricValue(set.registry, 'telemd_receiver_accepted_items_total', { signal: 'logs' })).toBe(6);
  });
});
