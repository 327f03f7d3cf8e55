// Incremental reload in a real agent: what did not change keeps running, what changed is
// rebuilt while batches wait instead of being refused, requests are coalesced.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicMessage } from '../../src/service/agent.js';
import { tempDir } from '../helpers/agent.js';
import { inprocAgents, logsData } from '../helpers/inproc.js';

const startInproc = inprocAgents();

const base = (sinkB = '', extra = '', pipelines = '') => `
receivers:
  probe:
processors:
  touch:
exporters:
  sink/a:
  sink/b:
${sinkB}
service:
  pipelines:
    logs/a:
      receivers: [probe]
      processors: [touch]
      exporters: [sink/a]
    logs/b:
      receivers: [probe]
      exporters: [sink/b]
${pipelines}${extra}`;

describe('incremental reload', () => {
  it('an unchanged config changes nothing: no component is rebuilt, the receiver is never restarted', async () => {
    const a = await startInproc(base());
    const r = await a.agent.reload();
    expect(r).toMatchObject({ applied: true, errors: [], changes: { rebuilt: [], added: [], removed: [] } });
    expect(r.changes!.kept).toBe(4);
    const probe = a.probes.receivers.get('probe')!;
    expect([probe.created, probe.started, probe.stopped]).toEqual([1, 1, 0]);
    expect(a.probes.sinkLife.get('sink/a')).toEqual({ created: 1, stopped: 0 });
  });

  it('a changed exporter is rebuilt alone; batches sent while it is replaced wait and reach the new one', async () => {
    const a = await startInproc(base('    stop_delay_ms: 300'));
    const c = a.probes.receivers.get('probe')!.consumers.logs!;
    await c.consume(logsData('before'));
    a.write(base('    stop_delay_ms: 300\n    label: changed'));
    const reload = a.agent.reload();
    // While the old sink/b drains for 300 ms, keep sending: nothing may be refused.
    const sends: Promise<void>[] = [];
    const end = Date.now() + 500;
    let i = 0;
    while (Date.now() < end) {
      sends.push(c.consume(logsData(`during ${i++}`)));
      await new Promise((r) => setTimeout(r, 10));
    }
    const results = await Promise.allSettled(sends);
    expect(results.filter((x) => x.status === 'rejected')).toEqual([]);
    const r = await reload;
    expect(r.changes).toMatchObject({ rebuilt: ['exporter:sink/b'], added: [], removed: [] });
    const probe = a.probes.receivers.get('probe')!;
    expect([probe.created, probe.stopped]).toEqual([1, 0]);
    expect(a.probes.sinkLife.get('sink/a')).toEqual({ created: 1, stopped: 0 });
    expect(a.probes.sinkLife.get('sink/b')).toEqual({ created: 2, stopped: 1 });
    // Everything arrived, each batch once, in both pipelines.
    for (const id of ['sink/a', 'sink/b']) expect(a.probes.sinks.get(id)!.length).toBe(i + 1);
    expect(a.probes.sinks.get('sink/b')!.filter((x) => x.instance === 2).length).toBeGreaterThan(0);
  });

  it('adding and removing a pipeline touches only its own components', async () => {
    const a = await startInproc(base());
    a.write(base('', '', '    logs/c:\n      receivers: [probe]\n      exporters: [sink/c]\n').replace('  sink/b:\n', '  sink/b:\n  sink/c:\n'));
    let r = await a.agent.reload();
    expect(r.changes).toMatchObject({ rebuilt: [], added: ['exporter:sink/c'], removed: [] });
    await a.probes.receivers.get('probe')!.consumers.logs!.consume(logsData('x'));
    expect(a.probes.sinks.get('sink/c')).toHaveLength(1);
    a.write(base());
    r = await a.agent.reload();
    expect(r.changes).toMatchObject({ rebuilt: [], added: [], removed: ['exporter:sink/c'] });
    expect(a.probes.sinkLife.get('sink/c')).toEqual({ created: 1, stopped: 1 });
    expect(a.probes.receivers.get('probe')!.created).toBe(1);
  });

  it('a receiver that now serves another signal is rebuilt', async () => {
    const a = await startInproc(base());
    a.write(base().replace('    logs/b:\n      receivers: [probe]\n      exporters: [sink/b]', '    metrics:\n      receivers: [probe]\n      exporters: [sink/b]'));
    const r = await a.agent.reload();
    expect(r.changes!.rebuilt.sort()).toEqual(['exporter:sink/b', 'receiver:probe']);
    expect(a.probes.receivers.get('probe')!.created).toBe(2);
    expect(a.probes.receivers.get('probe')!.consumers.metrics).toBeDefined();
  });

  it('components that use a replaced extension are rebuilt with it', async () => {
    const dir = tempDir();
    const cfg = (d: string) => `
receivers:
  probe:
processors:
  logpattern:
    storage: file_storage
  touch:
exporters:
  sink:
extensions:
  file_storage:
    directory: ${join(dir, d)}
service:
  extensions: [file_storage]
  pipelines:
    logs:
      receivers: [probe]
      processors: [logpattern, touch]
      exporters: [sink]
`;
    const a = await startInproc(cfg('one'));
    a.write(cfg('two'));
    const r = await a.agent.reload();
    expect(r.changes!.rebuilt.sort()).toEqual(['extension:file_storage', 'processor:logpattern@logs']);
    await a.probes.receivers.get('probe')!.consumers.logs!.consume(logsData('still flowing'));
    expect(a.probes.sinks.get('sink')).toHaveLength(1);
  });

  it('a file named by a *_file key that changed rebuilds the component that reads it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 's'), { mode: 0o700 });
    const token = join(dir, 's', 'token');
    const cfg = base().replace('service:\n', `extensions:\n  health_check:\n    endpoint: 127.0.0.1:0\n    enable_reload: true\n    token_file: ${token}\nservice:\n  extensions: [health_check]\n`);
    const a = await startInproc(cfg);
    expect((await a.agent.reload()).changes!.rebuilt).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(token, 'a-rotated-token\n', { mode: 0o600 });
    expect((await a.agent.reload()).changes!.rebuilt).toEqual(['extension:health_check']);
  });

  it('coalesces a storm of reload requests into a few reloads, every caller answered', async () => {
    const a = await startInproc(base());
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 40 }, () => a.agent.reload()));
    expect(results.every((r) => r.applied)).toBe(true);
    const reloads = a.logs.filter((l) => l.msg === 'config reloaded').length;
    expect(reloads).toBeGreaterThanOrEqual(1);
    expect(reloads).toBeLessThanOrEqual(2);
    // Later requests wait for the next slot (at most one reload starts per second).
    const more = await Promise.all([a.agent.reload(), a.agent.reload()]);
    expect(more.every((r) => r.applied)).toBe(true);
    expect(a.logs.filter((l) => l.msg === 'config reloaded').length).toBe(reloads + 1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(a.agent.registry.values('telemd_config_reload_requests_coalesced_total')[0]!.value).toBeGreaterThanOrEqual(40);
  });

  it('a processor moved to another place in its pipeline is rewired, not rebuilt', async () => {
    const two = (order: string) => base().replace('  touch:\n', '  touch:\n  touch/2:\n    mutates: true\n').replace('processors: [touch]', `processors: [${order}]`);
    const a = await startInproc(two('touch, touch/2'));
    a.write(two('touch/2, touch'));
    const r = await a.agent.reload();
    expect(r.changes).toMatchObject({ rebuilt: [], added: [], removed: [] });
    const batch = logsData('x');
    await a.probes.receivers.get('probe')!.consumers.logs!.consume(batch);
    // touch/2 (mutates) now comes first in logs/a: it is fed a copy, then touch sees that copy.
    const first = a.probes.touched.get('touch/2@logs/a')![0];
    expect(first).not.toBe(batch);
    expect(a.probes.touched.get('touch@logs/a')![0]).toBe(first);
    expect(a.probes.sinks.get('sink/b')![0]!.data).toBe(batch);
  });

  it('a refused reload names the problem, not internal error classes', async () => {
    const a = await startInproc(base());
    a.write('receivers: [');
    const r = await a.agent.reload();
    expect(r.applied).toBe(false);
    expect(r.errors.join('\n')).toMatch(/YAML syntax error/);
    expect(r.errors.join('\n')).not.toMatch(/\b\w*Error:/);
    expect(publicMessage(new TypeError('Cannot read properties of undefined (reading "x")'))).toBe('Cannot read properties of undefined (reading "x")');
    expect(publicMessage(new Error('exporter file failed to start: SystemError: EACCES: permission denied'))).toBe('exporter file failed to start: EACCES: permission denied');
  });
});
