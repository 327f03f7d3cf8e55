import type { MetricRegistry } from './self.js';

/** Process CPU, RSS and heap of the agent itself. */
export function registerProcessMetrics(reg: MetricRegistry): void {
  reg.observe('telemd_process_cpu_seconds_total', 'CPU time used by the agent (user + system)', {}, () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }, 'counter');
  reg.observe('telemd_process_resident_memory_bytes', 'Resident set size of the agent', {}, () => process.memoryUsage.rss());
  reg.observe('telemd_process_heap_used_bytes', 'V8 heap in use', {}, () => process.memoryUsage().heapUsed);
  const started = Date.now() / 1000;
  reg.observe('telemd_process_start_time_seconds', 'When the agent started, in Unix seconds', {}, () => started);
  reg.observe('telemd_process_uptime_seconds', 'Seconds since the agent started', {}, () => Date.now() / 1000 - started, 'counter');
}
