// The slo connector in the real telemd process: httpcheck probes a test server (its own process)
// that goes healthy -> 500 -> not listening -> hanging past the timeout -> healthy; with the
// objective window 12h (every alert window scaled by 1/60: page on 1m & 5s) the burn-rate alert
// fires at the real Alertmanager while it fails and resolves after it recovers; the error time
// in the budget equals the failure the test caused within a probe interval; the ledger survives
// a restart; `telemd slo report` shows the same figures and the incident. In the same agent a
// systemd receiver on an unreachable bus and a PromQL objective keep running beside it.
import { describe, expect, it } from 'vitest';
import type { ReportEntry, ObjectiveView } from '../../connectors/slo/engine.js';
import { runCli, tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { alertmanagers, haveAlertmanager, webhookSink } from '../helpers/alertmanager.js';
import { checkServersKilledAfterEach } from '../helpers/checkserver.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const d = haveAlertmanager ? describe : describe.skip;
const startAgent = agentsKilledAfterEach();
const startAm = alertmanagers();
const startServer = checkServersKilledAfterEach();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

d('slo connector with httpcheck and the real Alertmanager', () => {
  it('burn-rate alert fires and resolves, the budget equals the error time, the report agrees, restarts keep it', async () => {
    const hooks = await webhookSink();
    try {
      const am = await startAm({ webhookUrl: hooks.url });
      const srv = await startServer();
      const dir = tempDir('telemd-slo-');
      const consolePort = await freePort();
      const config = `receivers:
  httpcheck/web:
    collection_interval: 1s
    initial_delay: 0s
    targets: [{endpoint: ${srv.url}, timeout: 400ms}]
  systemd:
    collection_interval: 1s
    dbus_address: unix:path=${dir}/no-such-bus
    units: ['*.service']
connectors:
  slo:
    evaluation_interval: 1s
    storage: file_storage
    objectives:
      - name: web
        target: 99
        window: 12h
        probe: httpcheck/web
      - name: web-promql
        target: 99
        window: 2d
        sli:
          error: 'sum(increase(httpcheck_probes_failed_total[{{.window}}]))'
          total: 'sum(increase(httpcheck_probes_total[{{.window}}]))'
  alerts:
    evaluation_interval: 1s
    storage: file_storage
    external_labels: {}
    alertmanager:
      endpoints: [${am.url}]
      resend_delay: 2s
      retry_on_failure: {initial_interval: 200ms, max_interval: 1s}
exporters:
  nop:
extensions:
  file_storage:
    directory: ${dir}/state
  console:
    endpoint: 127.0.0.1:${consolePort}
    token_file: ${dir}/console.token
service:
  extensions: [file_storage, console]
  pipelines:
    metrics/checks: {receivers: [httpcheck/web, systemd], exporters: [slo]}
    metrics/slo: {receivers: [slo], exporters: [alerts]}
    logs/alerts: {receivers: [alerts], exporters: [nop]}
`;
      let agent = await startAgent({ config, dir });
      const token = () => readFileSync(join(dir, 'console.token'), 'utf8').trim();
      const api = async <T>(path: string): Promise<T> => {
        const r = await fetch(`http://127.0.0.1:${consolePort}${path}`, { headers: { authorization: `Bearer ${token()}` } });
        const j = (await r.json()) as { status: string; data: T };
        if (j.status !== 'success') throw new Error(JSON.stringify(j));
        return j.data;
      };
      const slo = async (name: string) => (await api<{ objectives: ObjectiveView[] }>('/api/v1/slo')).objectives.find((o) => o.name === name)!;
      const page = async () => (await am.alerts()).find((a) => a.labels.alertname === 'SLOErrorBudgetBurn' && a.labels.slo === 'web' && a.labels.long_window === '1m');

      // Healthy: probes counted, nothing bad, the full budget.
      await until(async () => (await slo('web')).windows.find((w) => w.window === '1m')?.errorRatio === 0, 30_000, 'healthy probes in the 1m window');
      await sleep(8000);
      expect((await slo('web')).budgetRemaining).toBe(1);

      // Failing: 500, then not listening, then hanging past the 400 ms timeout.
      const failFrom = Date.now();
      await srv.mode('error');
      const fired = await until(page, 30_000, 'the page alert at Alertmanager');
      expect(fired.labels).toMatchObject({ severity: 'page', slo: 'web', short_window: '5s' });
      await srv.listen(false);
      await sleep(4000);
      await srv.listen(true);
      await srv.mode('hang');
      await sleep(4000);
      await srv.mode('ok');
      const failTo = Date.now();
      const failedS = (failTo - failFrom) / 1000;

      await until(async () => !(await page()), 30_000, 'the page alert resolved at Alertmanager');
      await sleep(3000);
      const now = await slo('web');
      // Error time = the failure caused, within one probe interval (1 s) plus the 0.5 s the
      // switches take to reach the server process.
      expect(Math.abs(now.errorSeconds - failedS)).toBeLessThanOrEqual(1.5);
      expect(now.budgetSeconds).toBeCloseTo(0.01 * 12 * 3600, 6);
      expect(now.budgetRemaining).toBeCloseTo(1 - now.errorSeconds / now.budgetSeconds, 9);
      const promql = await slo('web-promql');
      expect(promql.errorSeconds).toBeGreaterThan(failedS / 2);
      expect(promql.errorSeconds).toBeLessThan(failedS * 2);

      // The report over the run shows the same figures and the incident.
      const from = Math.floor(failFrom / 1000) - 60;
      const rep = await runCli(['slo', 'report', '--from', String(from), '--format', 'json', '--config', agent.configPath]);
      expect(rep.stderr).toBe('');
      expect(rep.code).toBe(0);
      const json = JSON.parse(rep.stdout) as { objectives: (ReportEntry & { incidents: { fingerprint: string; severity: string; resolvedAt: string | null }[] })[] };
      const web = json.objectives.find((o) => o.name === 'web')!;
      expect(Math.abs(web.errorSeconds - failedS)).toBeLessThanOrEqual(1.5);
      expect(web.budgetConsumed).toBeCloseTo(web.errorSeconds / web.budgetSeconds, 9);
      expect(web.bad).toBeGreaterThanOrEqual(Math.floor(failedS) - 1);
      expect(web.bad).toBeLessThanOrEqual(Math.ceil(failedS) + 1);
      expect(web.availability).toBeCloseTo(1 - web.bad / web.total, 9);
      const inc = web.incidents.find((i) => i.fingerprint === fired.fingerprint);
      expect(inc).toMatchObject({ severity: 'page' });
      expect(inc!.resolvedAt).not.toBeNull();
      const md = await runCli(['slo', 'report', '--from', String(from), '--config', agent.configPath]);
      expect(md.code).toBe(0);
      expect(md.stdout).toContain('| web | 99 % over 12h |');
      expect(md.stdout).toContain(fired.fingerprint);

      // The unreachable bus: said once, the rest kept running (the probes above).
      expect(agent.logs.filter((l) => l.msg.startsWith('systemd receiver: no systemd answers on D-Bus')).length).toBe(1);

      // Restart: the ledger is read back.
      expect(await agent.stop()).toBe(0);
      agent = await startAgent({ config, dir });
      await until(async () => (await slo('web')).lastEvaluation !== null, 20_000, 'the first evaluation after the restart');
      const after = (await api<{ objectives: ReportEntry[] }>(`/api/v1/slo/report?from=${from}`)).objectives.find((o) => o.name === 'web')!;
      expect(after.bad).toBe(web.bad);
      expect(after.total).toBeGreaterThanOrEqual(web.total);
      expect(Math.abs(after.errorSeconds - failedS)).toBeLessThanOrEqual(2);
    } finally {
      await hooks.close();
    }
  }, 240_000);
});
