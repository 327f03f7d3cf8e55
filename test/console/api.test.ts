// The console in-process over an in-memory store: the gate (token, Origin, Host), the
// Prometheus API's shapes and error format, the route table other components extend.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import { registerConsoleRoutes } from '../../src/console/routes.js';
import { ApiError, type ApiRequest } from '../../src/console/api.js';
import { MemoryQueryable } from '../../src/promql/index.js';
import { configSchema } from '../../extensions/console/config.js';
import { Console } from '../../extensions/console/extension.js';
import { testExtensionHost } from '../helpers/host.js';
import { testSettings } from '../helpers/settings.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: { status: string; data?: unknown; errorType?: string; error?: string };
}

function call(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => {
        let json: Reply['json'];
        try {
          json = JSON.parse(body) as Reply['json'];
        } catch {
          json = { status: 'not json' };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('console extension (in process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-console-'));
  const tokenFile = join(dir, 'state', 'console.token');
  const set = testSettings('console', 'extension');
  const store = new MemoryQueryable();
  const T0 = 1_700_000_000_000;
  let ext: Console;
  let token = '';
  let auth: Record<string, string> = {};

  beforeAll(async () => {
    for (let i = 0; i <= 120; i++) {
      for (const cpu of ['0', '1']) store.append({ __name__: 'cpu_seconds_total', cpu, mode: 'user' }, T0 + i * 10_000, i * (cpu === '0' ? 2 : 3));
      store.append({ __name__: 'load1', host: 'a' }, T0 + i * 10_000, 0.5 + (i % 7) / 10);
      for (const [le, f] of [['0.1', 1], ['1', 3], ['+Inf', 4]] as const) store.append({ __name__: 'req_seconds_bucket', le }, T0 + i * 10_000, i * f);
      store.append({ __name__: 'req_seconds_count' }, T0 + i * 10_000, i * 4);
      store.append({ __name__: 'req_seconds_sum' }, T0 + i * 10_000, i * 1.5);
    }
    const ctx = new ParseContext();
    const cfg = configSchema.parse({ endpoint: '127.0.0.1:0', token_file: tokenFile }, ctx);
    expect(ctx.issues).toEqual([]);
    ext = new Console(set, cfg, { stores: () => [{ id: 'history', store }] });
    await ext.start(testExtensionHost());
    token = readFileSync(tokenFile, 'utf8').trim();
    auth = { authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await ext?.shutdown();
  });

  it('creates the token file with mode 0600 at first start', () => {
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses without a token, with a wrong one, with a foreign Origin or Host, and counts each', async () => {
    const none = await call(ext.port, '/api/v1/query?query=1');
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(none.json.error).toContain('Authorization: Bearer');
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const wrong = await call(ext.port, '/api/v1/query?query=1', { headers: { authorization: `Bearer ${token.slice(0, -1)}x` } });
    expect(wrong.status).toBe(401);
    const origin = await call(ext.port, '/api/v1/query?query=1', { headers: { ...auth, origin: 'http://evil.example' } });
    expect(origin.status).toBe(403);
    expect(origin.json.error).toContain('evil.example');
    const site = await call(ext.port, '/api/v1/query?query=1', { headers: { ...auth, 'sec-fetch-site': 'cross-site' } });
    expect(site.status).toBe(403);
    const rebind = await call(ext.port, '/api/v1/query?query=1', { headers: { ...auth, host: `evil.example:${ext.port}` } });
    expect(rebind.status).toBe(403);
    // Its own origin, with the token: served.
    const own = await call(ext.port, '/api/v1/query?query=1', { headers: { ...auth, origin: `http://127.0.0.1:${ext.port}` } });
    expect(own.status).toBe(200);
    const refused = Object.fromEntries(set.registry.values('telemd_console_refused_requests_total').map((s) => [s.labels.reason, s.value]));
    expect(refused).toMatchObject({ no_token: 1, origin: 2, host: 1 });
  });

  it('takes the token as a Basic-auth password (promtool 2.42 sends http://user:TOKEN@host that way)', async () => {
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    expect((await call(ext.port, '/api/v1/query?query=1', { headers: basic('promtool', token) })).status).toBe(200);
    expect((await call(ext.port, '/api/v1/query?query=1', { headers: basic(token, 'x') })).status).toBe(401);
  });

  it('re-reads a rotated token file', async () => {
    writeFileSync(tokenFile, 'rotated-token-0123456789\n', { mode: 0o600 });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(ext.port, '/api/v1/query?query=1', { headers: auth })).status).toBe(401);
    expect((await call(ext.port, '/api/v1/query?query=1', { headers: { authorization: 'Bearer rotated-token-0123456789' } })).status).toBe(200);
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(ext.port, '/api/v1/query?query=1', { headers: auth })).status).toBe(200);
  });

  it('answers instant and range queries in the Prometheus shapes (GET and POST forms)', async () => {
    const t = (T0 + 600_000) / 1000;
    const q = await call(ext.port, `/api/v1/query?query=${encodeURIComponent('sum by (mode) (rate(cpu_seconds_total[1m]))')}&time=${t}`, { headers: auth });
    expect(q.status).toBe(200);
    expect(q.headers['content-type']).toBe('application/json');
    expect(q.json).toEqual({ status: 'success', data: { resultType: 'vector', result: [{ metric: { mode: 'user' }, value: [t, '0.5'] }] } });
    const post = await call(ext.port, '/api/v1/query_range', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('load1')}&start=${t}&end=${t + 30}&step=10s`,
    });
    expect(post.status).toBe(200);
    const data = post.json.data as { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
    expect(data.resultType).toBe('matrix');
    expect(data.result[0]!.metric).toEqual({ __name__: 'load1', host: 'a' });
    expect(data.result[0]!.values.map((p) => p[0])).toEqual([t, t + 10, t + 20, t + 30]);
    const rfc = await call(ext.port, `/api/v1/query?query=scalar(load1)&time=${new Date(T0 + 600_000).toISOString()}`, { headers: auth });
    expect(rfc.json.data).toEqual({ resultType: 'scalar', result: [t, '0.9'] });
    const hq = await call(ext.port, `/api/v1/query?query=${encodeURIComponent('histogram_quantile(0.5, rate(req_seconds_bucket[1m]))')}&time=${t}`, { headers: auth });
    expect(hq.json.data).toEqual({ resultType: 'vector', result: [{ metric: {}, value: [t, '0.5500000000000002'] }] });
  });

  it('answers bad input as Prometheus does: 400 bad_data with the same messages', async () => {
    const cases: [string, number, string][] = [
      ['/api/v1/query?query=sum(', 400, 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis'],
      ['/api/v1/query', 400, 'invalid parameter "query": 1:1: parse error: no expression found in input'],
      ['/api/v1/query?query=1&time=yesterday', 400, 'invalid parameter "time": cannot parse "yesterday" to a valid timestamp'],
      ['/api/v1/query_range?query=1&start=10&end=5&step=1', 400, 'end timestamp must not be before start time'],
      ['/api/v1/query_range?query=1&start=0&end=5&step=0', 400, 'zero or negative query resolution step widths are not accepted. Try a positive integer'],
      ['/api/v1/query_range?query=1&start=0&end=100000&step=1', 400, 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'],
      ['/api/v1/query_range?query=1&end=5&step=1', 400, 'invalid parameter "start": cannot parse "" to a valid timestamp'],
      ['/api/v1/query_range?query=1&start=0&end=5&step=abc', 400, 'invalid parameter "step": cannot parse "abc" to a valid duration'],
      ['/api/v1/query_range?query=load1[5m]&start=0&end=5&step=1', 400, 'invalid expression type "range vector" for range query, must be Scalar or instant Vector'],
      ['/api/v1/series', 400, 'no match[] parameter provided'],
      ['/api/v1/series?match[]={a=""}', 400, 'invalid parameter "match[]": match[] must contain at least one non-empty matcher'],
      ['/api/v1/label/bad-name/values', 400, 'invalid label name: "bad-name"'],
      // Messages checked against the real Prometheus 2.42.
      ['/api/v1/series?match[]=sum(up)', 400, 'invalid parameter "match[]": 1:4: parse error: unexpected "("'],
      ['/api/v1/series?match[]=up[5m]', 400, 'invalid parameter "match[]": 1:3: parse error: unexpected "["'],
      ['/api/v1/query?query=%20%20', 400, 'invalid parameter "query": 1:1: parse error: no expression found in input'],
      ['/api/v1/metadata?limit=x', 400, 'limit must be a number'],
    ];
    for (const [path, status, error] of cases) {
      const r = await call(ext.port, path, { headers: auth });
      expect({ path, status: r.status, json: r.json }).toEqual({ path, status, json: { status: 'error', errorType: 'bad_data', error } });
    }
    const exec = await call(ext.port, `/api/v1/query?query=${encodeURIComponent('load1 + on() group_left cpu_seconds_total')}&time=${(T0 + 600_000) / 1000}`, { headers: auth });
    expect(exec.status).toBe(422);
    expect(exec.json.errorType).toBe('execution');
  });

  it('lists series, labels, label values and metadata', async () => {
    const series = await call(ext.port, `/api/v1/series?match[]=${encodeURIComponent('{__name__=~"cpu.*"}')}&match[]=load1`, { headers: auth });
    expect(series.json.data).toEqual([
      { __name__: 'cpu_seconds_total', cpu: '0', mode: 'user' },
      { __name__: 'cpu_seconds_total', cpu: '1', mode: 'user' },
      { __name__: 'load1', host: 'a' },
    ]);
    const labels = await call(ext.port, '/api/v1/labels', { headers: auth });
    expect(labels.json.data).toEqual(['__name__', 'cpu', 'host', 'le', 'mode']);
    const names = await call(ext.port, '/api/v1/label/__name__/values', { headers: auth });
    expect(names.json.data).toEqual(['cpu_seconds_total', 'load1', 'req_seconds_bucket', 'req_seconds_count', 'req_seconds_sum']);
    const cpus = await call(ext.port, `/api/v1/label/cpu/values?match[]=${encodeURIComponent('cpu_seconds_total{cpu="1"}')}`, { headers: auth });
    expect(cpus.json.data).toEqual(['1']);
    const meta = await call(ext.port, '/api/v1/metadata', { headers: auth });
    expect(meta.json.data).toEqual({
      cpu_seconds_total: [{ type: 'counter', help: '', unit: 'seconds' }],
      load1: [{ type: 'gauge', help: '', unit: '' }],
      req_seconds: [{ type: 'histogram', help: '', unit: 'seconds' }],
    });
    const one = await call(ext.port, '/api/v1/metadata?metric=load1', { headers: auth });
    expect(Object.keys(one.json.data as object)).toEqual(['load1']);
    const ex = await call(ext.port, '/api/v1/query_exemplars?query=load1', { headers: auth });
    expect(ex.json).toEqual({ status: 'success', data: [] });
    const bi = await call(ext.port, '/api/v1/status/buildinfo', { headers: auth });
    expect(bi.json.data).toMatchObject({ version: '2.42.0', application: 'telemd' });
  });

  it('answers unknown routes 404 and wrong methods 405, as JSON', async () => {
    const nf = await call(ext.port, '/api/v1/nothing', { headers: auth });
    expect(nf.status).toBe(404);
    expect(nf.json.errorType).toBe('not_found');
    const m = await call(ext.port, '/api/v1/metadata', { method: 'DELETE', headers: auth });
    expect(m.status).toBe(405);
    expect(m.headers.allow).toBe('GET');
  });

  it('serves routes other components register, behind the same gate, until they unregister', async () => {
    const unregister = registerConsoleRoutes('alerts', [
      { method: 'GET', path: '/api/v1/alerts', access: 'read', description: 'test', handle: () => ({ data: { alerts: [] } }) },
      {
        method: 'POST',
        path: '/api/v1/alerts/{fp}/ack',
        access: 'write',
        description: 'test',
        handle: (req: ApiRequest) => {
          if (req.params.fp === 'none') throw new ApiError('not_found', 'no alert none');
          return { data: { fp: req.params.fp, by: req.principal.name, body: req.body } };
        },
      },
    ]);
    try {
      expect((await call(ext.port, '/api/v1/alerts')).status).toBe(401);
      expect((await call(ext.port, '/api/v1/alerts', { headers: auth })).json).toEqual({ status: 'success', data: { alerts: [] } });
      const ack = await call(ext.port, '/api/v1/alerts/ab12/ack', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"for":"4h"}' });
      expect(ack.json).toEqual({ status: 'success', data: { fp: 'ab12', by: 'token', body: { for: '4h' } } });
      const missing = await call(ext.port, '/api/v1/alerts/none/ack', { method: 'POST', headers: auth });
      expect(missing.status).toBe(404);
      const routes = await call(ext.port, '/api/v1/status/routes', { headers: auth });
      expect(routes.json.data).toContainEqual(expect.objectContaining({ method: 'POST', path: '/api/v1/alerts/{fp}/ack', owner: 'alerts', access: 'write' }));
      expect(() => registerConsoleRoutes('other', [{ method: 'GET', path: '/api/v1/alerts', access: 'read', description: '', handle: () => ({ data: 1 }) }])).toThrow(/already served by alerts/);
    } finally {
      unregister();
    }
    expect((await call(ext.port, '/api/v1/alerts', { headers: auth })).status).toBe(404);
  });
});
