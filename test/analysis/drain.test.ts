import { describe, expect, it } from 'vitest';
import { TemplateMiner, tokenize, WILDCARD } from '../../src/analysis/drain.js';

describe('TemplateMiner', () => {
  it('masks tokens with digits and groups messages of one template', () => {
    expect(tokenize('Took 12ms for  blk_77 ok')).toEqual(['Took', WILDCARD, 'for', WILDCARD, 'ok']);
    const m = new TemplateMiner();
    const a = m.add('Deleting block blk_1 file /data/1');
    const b = m.add('Deleting block blk_2 file /data/2');
    const c = m.add('Verification succeeded for blk_3');
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.cluster).toBe(a.cluster);
    expect(c.cluster.id).not.toBe(a.cluster.id);
    expect(TemplateMiner.text(a.cluster)).toBe('Deleting block <*> file <*>');
    expect(a.cluster.count).toBe(2);
  });

  it('keeps messages of different lengths or low similarity apart', () => {
    const m = new TemplateMiner();
    const a = m.add('connection closed by remote host');
    const b = m.add('connection closed by remote');
    const c = m.add('connection refused: no route host');
    expect(new Set([a.cluster.id, b.cluster.id, c.cluster.id]).size).toBe(3);
  });

  it('gives the same id to the same template on every host (hash of the first message)', () => {
    const a = new TemplateMiner().add('disk sda is failing');
    const b = new TemplateMiner().add('disk sda is failing');
    expect(a.cluster.id).toBe(b.cluster.id);
    expect(a.cluster.id).toMatch(/^[0-9a-f]{8}$/);
  });

  it('evicts the least recently seen template at max_templates', () => {
    const m = new TemplateMiner({ maxTemplates: 2 });
    const a = m.add('alpha');
    m.add('beta gamma');
    m.add('alpha'); // alpha is now the most recent
    const r = m.add('delta epsilon zeta');
    expect(r.evicted?.tokens).toEqual(['beta', 'gamma']);
    expect(m.size).toBe(2);
    expect(m.add('alpha').cluster).toBe(a.cluster);
  });

  it('round-trips through save/load with the same ids and matching', () => {
    const m = new TemplateMiner();
    const id = m.add('job 1 done in 3s').cluster.id;
    m.add('job 2 done in 5s');
    const n = new TemplateMiner();
    n.load(JSON.parse(JSON.stringify(m.save())));
    const r = n.add('job 9 done in 1s');
    expect(r.created).toBe(false);
    expect(r.cluster.id).toBe(id);
    expect(r.cluster.count).toBe(3);
  });

  it('bounds fan-out: beyond max_children new first tokens share a wildcard branch', () => {
    const m = new TemplateMiner({ maxChildren: 3, prefixTokens: 1 });
    for (const w of ['a', 'b', 'c', 'd', 'e']) m.add(`${w} x y`);
    // d and e went down the wildcard branch, where they are similar enough to merge.
    expect(m.size).toBe(4);
  });

  it('handles empty and whitespace-only messages', () => {
    const m = new TemplateMiner();
    const a = m.add('');
    const b = m.add('   ');
    expect(b.cluster).toBe(a.cluster);
    expect(TemplateMiner.text(a.cluster)).toBe('');
  });

  it('routes by the first words that are not variables, so raw headers do not lump lines', () => {
    expect(tokenize('[Sun Dec 04 04:47:44 2005] [notice] ok')).toEqual([WILDCARD, WILDCARD, WILDCARD, WILDCARD, WILDCARD, '[notice]', 'ok']);
    const m = new TemplateMiner();
    const a = m.add('081109 203615 148 INFO dfs.DataNode: PacketResponder 1 terminating');
    const b = m.add('081109 203616 149 WARN dfs.FSNamesystem: PacketResponder 2 terminating');
    const c = m.add('081110 101010 150 INFO dfs.DataNode: PacketResponder 3 terminating');
    expect(b.cluster).not.toBe(a.cluster);
    expect(c.cluster).toBe(a.cluster);
  });

  it('keeps a template in its branch across save/load even when its route words became <*>', () => {
    // Any number of word differences may merge here, so that route words can turn into <*>.
    const m = new TemplateMiner({ wordDiff: 1 });
    // Same route (first two words: "alpha beta"), words at different places: merged template
    // loses its route words.
    const a = m.add('alpha beta c d e f');
    const b = m.add('9 alpha beta d e f');
    expect(b.cluster).toBe(a.cluster);
    expect(TemplateMiner.text(a.cluster)).toBe('<*> <*> <*> d e f');
    const n = new TemplateMiner({ wordDiff: 1 });
    n.load(JSON.parse(JSON.stringify(m.save())));
    expect(n.add('alpha beta z d e f').cluster.id).toBe(a.cluster.id);
    expect(n.size).toBe(1);
  });

  it('evicts a merged template from its real leaf (no hidden leftovers)', () => {
    const m = new TemplateMiner({ maxTemplates: 1, wordDiff: 1 });
    m.add('alpha beta c d e f');
    m.add('9 alpha beta d e f'); // template now <*> <*> <*> d e f
    const r = m.add('something else entirely here');
    expect(r.evicted).toBeDefined();
    // Were the evicted cluster still in its leaf, this would match it and not create one.
    expect(m.add('alpha beta c d e f').created).toBe(true);
    expect(m.size).toBe(1);
  });

  it('bounds templates per leaf, so input that never repeats cannot make each message slow', () => {
    const m = new TemplateMiner({ maxLeafTemplates: 5, prefixTokens: 0 });
    const evicted: string[] = [];
    for (let i = 0; i < 20; i++) {
      const w = String.fromCharCode(97 + i);
      const r = m.add(`${w}a ${w}b ${w}c`);
      if (r.evicted) evicted.push(TemplateMiner.text(r.evicted));
    }
    expect(m.size).toBe(5);
    expect(evicted[0]).toBe('aa ab ac');
  });

  it('joins a template whose routing word varies (a name without digits), not short messages of another first word', () => {
    const m = new TemplateMiner();
    const a = m.add('alice logged in from the web console');
    const b = m.add('bob logged in from the web console');
    expect(b.cluster).toBe(a.cluster);
    expect(TemplateMiner.text(a.cluster)).toBe('<*> logged in from the web console');
    // The same, with Drain's strict routing: one template per user.
    const strict = new TemplateMiner({ crossBranch: 0 });
    expect(strict.add('alice logged in from the web console').cluster).not.toBe(strict.add('bob logged in from the web console').cluster);
    // Two words in common are not enough across branches: other events.
    const c = m.add('instruction address: 0x00004ed8');
    const d = m.add('data address: 0x00000002');
    expect(d.cluster).not.toBe(c.cluster);
    // Nor do the other rules change: an upper-case word never becomes a variable.
    const e = m.add('GET request served from the cache now');
    expect(m.add('PUT request served from the cache now').cluster).not.toBe(e.cluster);
  });

  it('finds templates across branches after save/load and forgets evicted ones there', () => {
    const m = new TemplateMiner({ maxTemplates: 2 });
    const a = m.add('alice logged in from the web console');
    const n = new TemplateMiner({ maxTemplates: 2 });
    n.load(JSON.parse(JSON.stringify(m.save())));
    expect(n.add('carol logged in from the web console').cluster.id).toBe(a.cluster.id);
    n.add('one two');
    n.add('three four five'); // evicts the oldest (the login template)
    expect(n.add('dave logged in from the web console').created).toBe(true);
    expect(n.size).toBe(2);
  });
});
