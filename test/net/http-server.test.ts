// The shared listener (src/net/http-server.ts): the not-on-loopback warning names the config key
// once, and the loopback test knows every loopback spelling.
import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/net/exposure.js';
import { listenHttp } from '../../src/net/http-server.js';
import { testSettings } from '../helpers/settings.js';

describe('shared HTTP listener', () => {
  it('warns once per config key when it listens on every interface, never on loopback', async () => {
    const set = testSettings('otlp', 'receiver');
    const handler = (_: unknown, res: import('node:http').ServerResponse) => res.end('ok');
    const a = await listenHttp({ endpoint: ':0', configKey: 'receivers::otlp::protocols::http::endpoint', listener: 'otlp (OTLP/HTTP)', logger: set.logger, handler });
    const b = await listenHttp({ endpoint: '127.0.0.1:0', configKey: 'service::telemetry::metrics::address', listener: 'self-metrics', logger: set.logger, handler });
    expect(await (await fetch(`http://127.0.0.1:${a.port}/`)).text()).toBe('ok');
    await a.close(100);
    // A reload binds the same key and port again: no second warning.
    const again = await listenHttp({ endpoint: `:${a.port}`, configKey: 'receivers::otlp::protocols::http::endpoint', listener: 'otlp (OTLP/HTTP)', logger: set.logger, handler });
    await Promise.all([again.close(100), b.close(100)]);
    const warns = set.lines.filter((l) => l.level === 40);
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg).toContain(`otlp (OTLP/HTTP) listens on every network interface (receivers::otlp::protocols::http::endpoint)`);
    expect(warns[0]!.msg).toContain(`set it to 127.0.0.1:${a.port}`);
    expect(warns[0]!.config_key).toBe('receivers::otlp::protocols::http::endpoint');
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.3.2.1', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com']) expect(isLoopback(h), h).toBe(false);
  });
});
