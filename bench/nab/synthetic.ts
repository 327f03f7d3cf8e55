// A seeded, generated companion to NAB for the kinds of series the development subset lacks
// (NAB's realTweets and realAWSCloudwatch are not in ../shared): bursty counts with daily and
// weekly cycles, CPU utilisation with routine job spikes, heavy-tailed network bytes, smooth
// sensor readings. Normal behaviour includes the spikes and bursts each kind routinely has;
// each file gets 1-3 injected incidents, labelled with NAB-style windows (10% of the file
// divided among its incidents, centred on each start). Not a substitute for real data: a check
// that a change which helps NAB's visible categories does not flood such series with alarms.
import type { ScoredFile } from './score.js';

const STEP = 300; // seconds, as NAB
const DAY = 86_400 / STEP;
const WEEK = 7 * DAY;
const T0 = Date.parse('2026-01-05T00:00:00Z'); // a Monday

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const gauss = (r: R): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
function poisson(r: R, l: number): number {
  if (l > 50) return Math.max(0, Math.round(l + Math.sqrt(l) * gauss(r)));
  const L = Math.exp(-l);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > L);
  return k - 1;
}
const daily = (i: number, phase: number): number => Math.sin((2 * Math.PI * i) / DAY + phase);
const weekend = (i: number): boolean => Math.floor((i % WEEK) / DAY) >= 5;

export interface SyntheticFile {
  name: string;
  values: number[];
  times: number[];
  /** Incident starts (row indices). */
  starts: number[];
}

/** An incident changes values from `start` on; `kind` picks how. */
type Incident = (i: number, v: number, start: number) => number;

function build(name: string, n: number, r: R, base: (i: number) => number, incidents: { start: number; f: Incident }[]): SyntheticFile {
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    let v = base(i);
    for (const inc of incidents) if (i >= inc.start) v = inc.f(i, v, inc.start);
    values.push(Number(v.toFixed(3)));
  }
  return { name, values, times: values.map((_, i) => T0 + i * STEP * 1000), starts: incidents.map((x) => x.start) };
}

/** 1-3 incident starts after the first 20% of the file, at least 15% of the file apart. */
function starts(r: R, n: number): number[] {
  const k = 1 + Math.floor(r() * 3);
  const out: number[] = [];
  for (let tries = 0; out.length < k && tries < 100; tries++) {
    const s = Math.floor(n * (0.2 + 0.75 * r()));
    if (out.every((o) => Math.abs(o - s) > 0.15 * n)) out.push(s);
  }
  return out.sort((a, b) => a - b);
}

function counts(seed: number): SyntheticFile {
  const r = rng(seed);
  const n = 8000 + Math.floor(r() * 8000);
  const level = 5 + r() * 60;
  const phase = r() * 6.28;
  let burst = 0;
  let burstMul = 1;
  const base = (i: number): number => {
    if (burst > 0) burst--;
    else if (r() < 0.004) {
      burst = 1 + Math.floor(r() * 6);
      burstMul = 1.8 + r() * 2.5;
    }
    const l = level * (1 + 0.6 * daily(i, phase)) * (weekend(i) ? 0.7 : 1) * (burst > 0 ? burstMul : 1);
    return poisson(r, Math.max(0.2, l));
  };
  const incs = starts(r, n).map((start) => {
    const kind = Math.floor(r() * 3);
    const len = 10 + Math.floor(r() * 40);
    const mul = 6 + r() * 8;
    if (kind === 0) return { start, f: ((i, v, s) => (i < s + len ? v * mul + level : v)) as Incident };
    if (kind === 1) return { start, f: ((i, v, s) => (i < s + 300 ? v * 2.5 : v)) as Incident };
    return { start, f: ((i, v, s) => (i < s + 150 ? Math.round(v * 0.05) : v)) as Incident };
  });
  return build(`synthCounts/counts_${seed}.csv`, n, r, base, incs);
}

function cpu(seed: number): SyntheticFile {
  const r = rng(seed);
  const n = 4032;
  const level = 5 + r() * 35;
  const sd = 0.5 + r() * 4;
  const jobEvery = Math.floor(DAY / (1 + Math.floor(r() * 4)));
  const jobOffset = Math.floor(r() * jobEvery);
  let ar = 0;
  const base = (i: number): number => {
    ar = 0.7 * ar + gauss(r) * sd;
    let v = level + ar + 3 * daily(i, 0);
    if ((i + jobOffset) % jobEvery < 2) v = 85 + 10 * r();
    else if (r() < 0.002) v += 20 + 40 * r();
    return Math.min(100, Math.max(0, v));
  };
  const incs = starts(r, n).map((start) => {
    const kind = Math.floor(r() * 3);
    if (kind === 0) return { start, f: ((i, v, s) => (i < s + 250 ? Math.min(100, v + 25 + level * 0.5) : v)) as Incident };
    if (kind === 1) return { start, f: ((i, v, s) => (i < s + 200 ? Math.min(100, v + ((i - s) / 200) * 60) : v)) as Incident };
    return { start, f: ((i, _v, s) => (i < s + 120 ? 0.2 * r() : _v)) as Incident };
  });
  return build(`synthCpu/cpu_${seed}.csv`, n, r, base, incs);
}

function network(seed: number): SyntheticFile {
  const r = rng(seed);
  const n = 4032 + Math.floor(r() * 4000);
  const scale = 1e5 * (1 + r() * 100);
  const sl = 0.3 + r() * 0.6;
  const phase = r() * 6.28;
  const base = (i: number): number => scale * Math.exp(0.5 * daily(i, phase) + sl * gauss(r));
  const incs = starts(r, n).map((start) => {
    const kind = Math.floor(r() * 2);
    if (kind === 0) return { start, f: ((i, v, s) => (i < s + 200 ? v * 6 : v)) as Incident };
    return { start, f: ((i, v, s) => (i < s + 200 ? v * 0.08 : v)) as Incident };
  });
  return build(`synthNetwork/network_${seed}.csv`, n, r, base, incs);
}

function sensor(seed: number): SyntheticFile {
  const r = rng(seed);
  const n = 6000 + Math.floor(r() * 10000);
  const mean = 20 + r() * 60;
  const amp = 1 + r() * 8;
  const phase = r() * 6.28;
  let ar = 0;
  const base = (i: number): number => {
    ar = 0.97 * ar + 0.25 * gauss(r);
    return mean + amp * daily(i, phase) + ar;
  };
  const incs = starts(r, n).map((start) => {
    const kind = Math.floor(r() * 3);
    if (kind === 0) return { start, f: ((i, v, s) => (i < s + 400 ? v - (amp + 5) * Math.exp(-(i - s) / 150) : v)) as Incident };
    if (kind === 1) return { start, f: ((i, v, s) => (i < s + 300 ? v + 2 * gauss(r) * (1 + amp / 4) : v)) as Incident };
    return { start, f: ((i, v, s) => (i < s + 300 ? mean + amp : v)) as Incident };
  });
  return build(`synthSensor/sensor_${seed}.csv`, n, r, base, incs);
}

/** Ten files of each kind, the same on every run. */
export function syntheticCorpus(): SyntheticFile[] {
  const out: SyntheticFile[] = [];
  for (let k = 0; k < 10; k++) out.push(counts(1000 + k), cpu(2000 + k), network(3000 + k), sensor(4000 + k));
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** NAB windows: 10% of the rows shared among the incidents, centred on each start. */
export function syntheticWindows(f: SyntheticFile): [number, number][] {
  const len = Math.floor((0.1 * f.values.length) / f.starts.length);
  return f.starts.map((s) => {
    const a = Math.max(0, s - Math.floor(len / 2));
    const b = Math.min(f.values.length - 1, a + len - 1);
    return [f.times[a]!, f.times[b]!];
  });
}

export function asScored(f: SyntheticFile, scores: number[]): ScoredFile {
  return { name: f.name, times: f.times, scores, windows: syntheticWindows(f) };
}
