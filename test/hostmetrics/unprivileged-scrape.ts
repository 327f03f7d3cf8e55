// Run by process-unprivileged.test.ts as user nobody: one process scrape, then print what was
// collected, logged and counted (as JSON on stdout).
import pino from 'pino';
import { HostMetricsReceiver } from '../../receivers/hostmetrics/receiver.js';
import { host, parseConfig, settings } from './helpers.js';

const s = settings();
const logs: string[] = [];
const logger = pino({ level: 'debug' }, { write: (l: string) => void logs.push(l) });
const cfg = parseConfig({ collection_interval: '1h', scrapers: { process: { metrics: { 'process.open_file_descriptors': { enabled: true } } } } });
const r = new HostMetricsReceiver({ ...s, logger }, cfg, { consume: async () => {} });
await r.start(host);
await r.shutdown();
const d = await r.scrapeOnce();
const skipped = s.registry
  .renderPrometheus()
  .split('\n')
  .filter((l) => l.startsWith('telemd_receiver_scrape_skipped_objects_total'));
process.stdout.write(JSON.stringify({ resources: d.resourceMetrics.length, logs: logs.length, skipped }) + '\n');
