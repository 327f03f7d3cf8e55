import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, startAgent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';

const dir = join(ROOT, 'config', 'examples');

describe('config/examples', () => {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    it(`${f} validates`, async () => {
      const r = await runCli(['validate', '--config', join(dir, f)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
  }

  it('runs an unchanged Collector agent config (only its ports moved for the test)', async () => {
    let text = readFileSync(join(dir, 'collector-agent.yaml'), 'utf8');
    for (const port of ['13133', '4317', '4318', '8888']) {
      text = text.replaceAll(port === '8888' ? 'port: 8888' : `127.0.0.1:${port}`, port === '8888' ? `port: ${await freePort()}` : `127.0.0.1:${await freePort()}`);
    }
    const agent = await startAgent({ config: text });
    try {
      const health = await fetch(`http://127.0.0.1:${agent.healthPort}/`);
      expect(health.status).toBe(200);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });
});

describe('component layout', () => {
  it('every registered component has its own folder with a README that the top README links', async () => {
    const { factories } = await import('../../src/registry.js');
    const { existsSync } = await import('node:fs');
    const top = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const f of factories) {
      const rel = `${f.kind}s/${f.type}/README.md`;
      expect(existsSync(join(ROOT, rel)), rel).toBe(true);
      expect(top, rel).toContain(`(${rel})`);
      expect(f.description.length, f.type).toBeGreaterThan(10);
    }
  });
});
