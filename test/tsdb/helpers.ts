import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Tsdb, type AppendSample, type TsdbOptions } from '../../src/tsdb/store.js';
import type { Labels, SeriesSamples } from '../../src/promql/queryable.js';

/** Stores opened through the returned function are closed and their directories removed after each test. */
export function storesClosedAfterEach(): { open(opts?: Partial<TsdbOptions>, dir?: string): Promise<Tsdb>; dir(): Promise<string> } {
  const open: Tsdb[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const mk = async () => {
    const d = await mkdtemp(join(tmpdir(), 'telemd-tsdb-'));
    dirs.push(d);
    return d;
  };
  return {
    dir: mk,
    async open(opts = {}, dir?: string) {
      const db = await Tsdb.open({ dir: dir ?? (await mk()), ...opts });
      open.push(db);
      return db;
    },
  };
}

export function sample(name: string, labels: Record<string, string>, t: number, v: number, kind: 'counter' | 'gauge' = 'gauge'): AppendSample {
  return { labels: { __name__: name, ...labels }, t, v, kind };
}

export const ALL = { minT: -1e15, maxT: 1e15 };

export async function series(db: Tsdb, name: string, hints: Partial<Parameters<Tsdb['select']>[0]> = {}): Promise<SeriesSamples[]> {
  return [...(await db.select({ ...ALL, ...hints }, [{ name: '__name__', type: '=', value: name }]))];
}

export function points(s: SeriesSamples | undefined): [number, number][] {
  if (!s) return [];
  return Array.from(s.t, (t, i) => [t, s.v[i]!]);
}

export function byLabel(list: readonly SeriesSamples[], name: string, value: string): SeriesSamples | undefined {
  return list.find((s) => (s.labels as Labels)[name] === value);
}
