// What every attack test prints when it ends (issue 12, "keep proving it"): inputs tried,
// faults injected, records lost, crashes, peak RSS; one JSON line per attack, easy to grep.
import { readFileSync } from 'node:fs';
import type { Agent } from '../helpers/agent.js';

export interface Figure {
  inputs: number;
  faults: number;
  lost: number;
  crashes: number;
  maxRssMiB: number;
  [more: string]: unknown;
}

export function figure(attack: string, f: Figure): void {
  console.log(`attack figure ${JSON.stringify({ attack, soak: process.env.TELEMD_SOAK === '1', ...f })}`);
}

/** Peak RSS (VmHWM) of a running agent in MiB, or of the process with `pid`. */
export function peakRssMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export async function maxRss(agent: Agent): Promise<number> {
  return peakRssMiB(agent.proc.pid!);
}

/** Sum of a self-metric's series whose labels include `labels`. */
export async function selfMetric(agent: Agent, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').pop());
  }
  return total;
}
