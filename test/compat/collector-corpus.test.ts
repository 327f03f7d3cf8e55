// Real upstream Collector configs (test/fixtures/collector-configs, sources and licences in its
// index.yaml), unchanged: each is validated; the accepted ones run for a few seconds with their
// ports moved to free loopback ports, their listed files substituted and their env set.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { ROOT, startAgent, tempDir } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { makeCerts, type Certs } from '../otlp/certs.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { formatConfigError } from '../../src/config/sources.js';
import { factories } from '../../src/registry.js';

/** `telemd validate` in-process (the CLI path is covered elsewhere): the errors as printed. */
function validate(file: string, env: Record<string, string> = {}): string[] {
  return resolveConfig({ files: [file], env: { ...process.env, ...env }, factories }).errors.map(formatConfigError);
}

interface Entry {
  file: string;
  source: string;
  licence: string;
  refused?: string;
  why?: string;
  env?: Record<string, string>;
  files?: string[];
  certs?: Record<string, keyof Certs>;
}

const DIR = join(ROOT, 'test', 'fixtures', 'collector-configs');
const index = parse(readFileSync(join(DIR, 'index.yaml'), 'utf8')) as Entry[];
// Ports that must never be used by a test (the agent's defaults), and the Collector's.
const DEFAULTS: Record<string, string[]> = {
  receivers: ['otlp'],
};

/** Every host:port (0.0.0.0, localhost, 127.0.0.1 or empty host) to 127.0.0.1:<free>, one free port per original port. */
async function movePorts(text: string, ports: Map<string, number>): Promise<string> {
  const re = /(?<![\w.])(?:0\.0\.0\.0|127\.0\.0\.1|localhost)?:(\d{4,5})\b/g;
  for (const m of text.matchAll(re)) if (!ports.has(m[1]!)) ports.set(m[1]!, await freePort());
  return text.replace(re, (_all, p: string) => `127.0.0.1:${ports.get(p)}`);
}

/** Listeners left at their default port get a free one (the tests never use 4317/4318/13133/55679/1777). */
async function pinDefaults(text: string): Promise<string> {
  const doc = parseDocument(text);
  for (const [id] of Object.entries((doc.toJS() as { receivers?: Record<string, unknown> }).receivers ?? {})) {
    if (!DEFAULTS.receivers!.includes(id.split('/')[0]!)) continue;
    for (const proto of ['grpc', 'http'])
      if (doc.hasIn(['receivers', id, 'protocols', proto]) && !doc.getIn(['receivers', id, 'protocols', proto, 'endpoint'])) {
        if (doc.getIn(['receivers', id, 'protocols', proto]) === null) doc.setIn(['receivers', id, 'protocols', proto], doc.createNode({}));
        doc.setIn(['receivers', id, 'protocols', proto, 'endpoint'], `127.0.0.1:${await freePort()}`);
      }
  }
  for (const [id] of Object.entries((doc.toJS() as { extensions?: Record<string, unknown> }).extensions ?? {})) {
    if (!['zpages', 'pprof', 'health_check'].includes(id.split('/')[0]!) || doc.getIn(['extensions', id, 'endpoint'])) continue;
    if (!doc.getIn(['extensions', id])) doc.setIn(['extensions', id], doc.createNode({}));
    doc.setIn(['extensions', id, 'endpoint'], `127.0.0.1:${await freePort()}`);
  }
  return doc.toString();
}

describe('upstream Collector config corpus', () => {
  it('lists every fixture with its source and licence', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'index.yaml').sort();
    expect(index.map((e) => e.file).sort()).toEqual(files);
    for (const e of index) {
      expect(e.source, e.file).toMatch(/^https:\/\//);
      expect(e.licence, e.file).toBeTruthy();
      if (e.refused) expect(e.why, e.file).toBeTruthy();
    }
    const accepted = index.filter((e) => !e.refused).length;
    console.log(`collector corpus: ${accepted} of ${index.length} accepted`);
  });

  let certs: Certs | undefined;
  for (const e of index) {
    it(`${e.file}: ${e.refused ? `refused (${e.why})` : 'validates and runs'}`, async () => {
      const original = readFileSync(join(DIR, e.file), 'utf8');
      if (e.refused) {
        const errors = validate(join(DIR, e.file), e.env);
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.join('\n')).toContain(e.refused);
        return;
      }
      const ports = new Map<string, number>();
      let text = await pinDefaults(await movePorts(original, ports));
      const dir = tempDir('telemd-corpus-');
      for (const f of e.files ?? []) {
        const to = join(dir, f.replace(/\W+/g, '_'));
        mkdirSync(to, { recursive: true });
        text = text.replaceAll(f, to);
      }
      if (e.certs) {
        certs ??= makeCerts();
        for (const [from, key] of Object.entries(e.certs)) text = text.replaceAll(from, certs[key]);
      }
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(e.env ?? {})) env[k] = await movePorts(v, ports);
      // A config that disables the agent's logs gives no "pipelines running" line to wait for:
      // the test turns them back on (an override, the file itself stays as it is).
      const agent = await startAgent({ config: text, env, dir, args: ['--set', 'service::telemetry::logs::disabled=false'] });
      try {
        await new Promise((r) => setTimeout(r, 1000));
        expect(agent.proc.exitCode, agent.stderr).toBeNull();
        expect(agent.logs.filter((l) => l.level === 'raw')).toEqual([]);
      } finally {
        expect(await agent.stop()).toBe(0);
      }
      // The unchanged file validates too (warnings allowed, on stderr).
      expect(validate(join(DIR, e.file), e.env)).toEqual([]);
    }, 60_000);
  }
});
