import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { Config } from './config.js';

const MiB = 1024 * 1024;

/** Memory available to this process: the cgroup v2/v1 limit when one is set, else physical RAM. */
export function totalMemory(): number {
  for (const f of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const v = Number(readFileSync(f, 'utf8').trim());
      // cgroup v1 reports "no limit" as a huge number.
      if (Number.isFinite(v) && v > 0 && v < totalmem()) return v;
    } catch {
      // not in a cgroup with a limit
    }
  }
  return totalmem();
}

export interface Limits {
  hard: number;
  soft: number;
}

/** Hard and soft limits in bytes, as the Collector derives them. */
export function computeLimits(cfg: Config, total = totalMemory()): Limits {
  if (cfg.limit_mib > 0) {
    const hard = cfg.limit_mib * MiB;
    const spike = cfg.spike_limit_mib > 0 ? cfg.spike_limit_mib * MiB : Math.floor(hard / 5);
    return { hard, soft: hard - spike };
  }
  const hard = Math.floor((total * cfg.limit_percentage) / 100);
  const spike =
    cfg.spike_limit_percentage > 0 ? Math.floor((total * cfg.spike_limit_percentage) / 100) : Math.floor(hard / 5);
  return { hard, soft: hard - spike };
}

export function validateLimits(cfg: Config): string[] {
  const e: string[] = [];
  if (cfg.limit_mib === 0 && cfg.limit_percentage === 0) e.push('set limit_mib or limit_percentage (a memory limit is required)');
  if (cfg.limit_mib > 0 && cfg.spike_limit_mib >= cfg.limit_mib)
    e.push(`spike_limit_mib (${cfg.spike_limit_mib}) must be below limit_mib (${cfg.limit_mib})`);
  if (cfg.limit_mib === 0 && cfg.limit_percentage > 0 && cfg.spike_limit_percentage >= cfg.limit_percentage)
    e.push(`spike_limit_percentage (${cfg.spike_limit_percentage}) must be below limit_percentage (${cfg.limit_percentage})`);
  return e;
}
