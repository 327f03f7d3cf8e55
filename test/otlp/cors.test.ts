// CORS on the OTLP/HTTP receiver (the Collector's cors keys): real HTTP preflights, and a real
// Chromium page on an allowed origin posting OTLP/JSON while a page on another origin cannot.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import { configSchema, validate } from '../../receivers/otlp/config.js';
import { factory } from '../../receivers/otlp/index.js';
import { encodeJson } from '../../src/otlp/index.js';
import { freePort } from '../helpers/ports.js';
import { host, metricValue, settings, Sink } from './helpers.js';
import { logsFixture } from './fixtures.js';
import { observedAll } from '../helpers/observe.js';
import { haveChromium, launch, type Browser } from '../helpers/browser.js';

async function startReceiver(cors: unknown) {
  const h = await freePort();
  const set = settings('otlp', 'receiver');
  const sink = new Sink();
  const ctx = new ParseContext();
  const cfg = configSchema.parse({ protocols: { http: { endpoint: `127.0.0.1:${h}`, ...(cors ? { cors } : {}) } } }, ctx);
  expect(ctx.issues).toEqual([]);
  expect(validate(cfg)).toEqual([]);
  const r = factory.create(set, cfg, observedAll(set, sink.consumers));
  await r.start(host);
  return { r, sink, set, url: `http://127.0.0.1:${h}/v1/logs` };
}

/** A page server: GET / answers an empty HTML page (its origin is what the test is about). */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const port = await freePort();
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>otlp cors</title>');
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return { server, origin: `http://127.0.0.1:${port}` };
}

const preflight = (url: string, origin: string, headers = 'content-type') =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });

describe('otlp receiver cors', () => {
  let allowed: Awaited<ReturnType<typeof pageServer>>;
  let foreign: Awaited<ReturnType<typeof pageServer>>;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let plain: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser | undefined;

  beforeAll(async () => {
    allowed = await pageServer();
    foreign = await pageServer();
    rx = await startReceiver({ allowed_origins: [allowed.origin, 'https://*.example.com'], allowed_headers: ['X-Tenant'], max_age: 600 });
    plain = await startReceiver(undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await rx?.r.shutdown();
    await plain?.r.shutdown();
    allowed?.server.close();
    foreign?.server.close();
  });

  it('answers a preflight from an allowed origin with the CORS headers, max_age and the requested headers', async () => {
    const res = await preflight(rx.url, allowed.origin, 'content-type, x-tenant');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, x-tenant');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toMatch(/Origin/);
    // A wildcard origin matches any run of characters, anchored at both ends.
    expect((await preflight(rx.url, 'https://app.eu.example.com')).headers.get('access-control-allow-origin')).toBe('https://app.eu.example.com');
    expect((await preflight(rx.url, 'https://example.com.evil.net')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives no CORS headers to a foreign origin, a header not allowed, another method, or when cors is not set', async () => {
    for (const res of [
      await preflight(rx.url, foreign.origin),
      await preflight(rx.url, allowed.origin, 'content-type, x-secret'),
      await fetch(rx.url, { method: 'OPTIONS', headers: { origin: allowed.origin, 'access-control-request-method': 'PUT' } }),
      await preflight(plain.url, allowed.origin),
    ]) {
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  it('a POST naming a foreign Origin is refused 403 and counted, an allowed one delivered with Access-Control-Allow-Origin', async () => {
    const body = encodeJson('logs', logsFixture(2));
    const bad = await fetch(rx.url, { method: 'POST', headers: { origin: foreign.origin, 'content-type': 'application/json' }, body });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
    expect(rx.sink.got.logs).toHaveLength(0);
    expect(metricValue(rx.set.registry, 'telemd_receiver_refused_requests_total', { transport: 'http', reason: 'origin' })).toBe(1);
    const ok = await fetch(rx.url, { method: 'POST', headers: { origin: allowed.origin, 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(rx.sink.got.logs).toHaveLength(1);
    // No Origin (a non-browser client): CORS does not apply.
    expect((await fetch(rx.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
    rx.sink.got.logs.length = 0;
  });

  it('rejects origins that are not origins at validate', () => {
    const ctx = new ParseContext();
    const cfg = configSchema.parse({ protocols: { http: { cors: { allowed_origins: ['https://a.example.com/path', 'https://*.*.x.com'] } } } }, ctx);
    expect(validate(cfg)).toEqual([
      'protocols.http.cors.allowed_origins[0]: "https://a.example.com/path" is not an origin (scheme://host[:port], no path)',
      'protocols.http.cors.allowed_origins[1]: "https://*.*.x.com": at most one "*"',
    ]);
  });

  it.skipIf(!haveChromium)('Chromium: a page on the allowed origin posts OTLP/JSON with a custom header; a page on another origin is blocked by the browser', async () => {
    browser = await launch();
    const post = (url: string) =>
      browser!.page.evaluate(
        async ([u, b]) => {
          try {
            const r = await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Tenant': 'a' }, body: b });
            return { status: r.status, text: await r.text() };
          } catch (e) {
            return { error: String(e) };
          }
        },
        [url, encodeJson('logs', logsFixture(3)) as string] as const,
      );
    await browser.page.goto(allowed.origin + '/');
    expect(await post(rx.url), browser.messages.join('\n')).toEqual({ status: 200, text: '{}' });
    expect(rx.sink.got.logs).toHaveLength(1);
    expect(rx.sink.got.logs[0]).toEqual(logsFixture(3));

    await browser.page.goto(foreign.origin + '/');
    const blocked = await post(rx.url);
    expect(blocked).toMatchObject({ error: expect.stringMatching(/TypeError/) });
    // The preflight failed, so the browser never sent the POST.
    expect(rx.sink.got.logs).toHaveLength(1);
    // The receiver without cors: the allowed page is blocked too.
    await browser.page.goto(allowed.origin + '/');
    expect(await post(plain.url)).toMatchObject({ error: expect.stringMatching(/TypeError/) });
    expect(plain.sink.got.logs).toHaveLength(0);
  }, 60_000);
});
