// telemd's built-in host rules (`stock_rules: true`), in the Prometheus rule-file format, over
// the names the prometheus exporter gives hostmetrics, the forecast / anomaly processors, the
// count connector and the agent's own self-metrics. Thresholds and the reason for each are in
// the README's table; `npm run bench:alerts` measures them (no alert on a quiet host, each
// incident detected within 30 s).
export const STOCK_RULES_ORIGIN = 'telemd:stock';

// CPUs online, from the CPU time the host accounts per second (works without per_cpu). irate:
// the last two samples, exact from the second scrape on (rate over a young window underestimates).
const CPUS = 'scalar(clamp_min(round(sum(irate(system_cpu_time_seconds_total[5m]))), 1))';

export const STOCK_RULES = `groups:
- name: telemd.host
  rules:
  - alert: HostFilesystemFullIn4h
    expr: |
      system_filesystem_usage_time_to_full_seconds{mode!="ro"} < 4 * 3600
      and on(device, mountpoint, type, mode)
      system_filesystem_usage_time_to_full_confidence_ratio >= 0.5
    for: 5m
    labels:
      severity: warning
    annotations:
      summary: 'Filesystem {{ $labels.mountpoint }} will be full in {{ humanizeDuration $value }}'
      description: 'The forecast processor predicts that {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $externalLabels.instance }} fills up in {{ humanizeDuration $value }}.'
  - alert: HostFilesystemFillingFast
    expr: |
      predict_linear(system_filesystem_usage_bytes{state="free", mode!="ro"}[2m], 3600) < 0
      and on(device, mountpoint, type, mode)
      delta(system_filesystem_usage_bytes{state="free", mode!="ro"}[2m]) < 0
    for: 15s
    labels:
      severity: warning
    annotations:
      summary: 'Filesystem {{ $labels.mountpoint }} is filling fast: full within the hour at this rate'
      description: 'Free space on {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $externalLabels.instance }} would run out within an hour at the rate of the last 2 minutes.'
  - alert: HostFilesystemAlmostFull
    expr: |
      system_filesystem_usage_bytes{state="used", mode!="ro"}
      / ignoring(state) sum without(state) (system_filesystem_usage_bytes{state=~"used|free", mode!="ro"})
      * 100 > 90
    for: 1m
    labels:
      severity: warning
    annotations:
      summary: 'Filesystem {{ $labels.mountpoint }} is {{ printf "%.1f" $value }}% full'
      description: '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $externalLabels.instance }} is {{ printf "%.1f" $value }}% full (used / (used + free), as df shows it).'
  - alert: HostInodesAlmostFull
    expr: |
      system_filesystem_inodes_usage{state="used", mode!="ro"}
      / ignoring(state) sum without(state) (system_filesystem_inodes_usage{mode!="ro"})
      * 100 > 90
    for: 5m
    labels:
      severity: warning
    annotations:
      summary: 'Filesystem {{ $labels.mountpoint }} has used {{ printf "%.1f" $value }}% of its inodes'
  - alert: HostMemoryLow
    expr: |
      (
        system_linux_memory_available_bytes
        or on() sum(system_memory_usage_bytes{state=~"free|buffered|cached|slab_reclaimable"})
      )
      / on() sum(system_memory_usage_bytes) * 100 < 10
    for: 2m
    labels:
      severity: warning
    annotations:
      summary: 'Memory available is {{ printf "%.1f" $value }}%'
      description: 'Only {{ printf "%.1f" $value }}% of the memory of {{ $externalLabels.instance }} is available (MemAvailable).'
  - alert: HostSwapStorm
    expr: sum(rate(system_paging_operations_total{type="major"}[2m])) > 500
    for: 2m
    labels:
      severity: warning
    annotations:
      summary: 'Swapping {{ humanize $value }} pages/s'
      description: '{{ $externalLabels.instance }} swaps in and out {{ humanize $value }} pages per second: the memory is overcommitted.'
  - alert: HostMemoryUnderPressure
    expr: sum(rate(system_paging_faults_total{type="major"}[2m])) > 1000
    for: 2m
    labels:
      severity: warning
    annotations:
      summary: '{{ humanize $value }} major page faults/s'
      description: 'Pages are read back from disk {{ humanize $value }} times per second on {{ $externalLabels.instance }} (page cache thrashing or swapping).'
  - alert: HostCpuSaturated
    expr: |
      (1 - sum(rate(system_cpu_time_seconds_total{state=~"idle|wait"}[1m]))
           / sum(rate(system_cpu_time_seconds_total[1m]))) * 100 > 95
    for: 10m
    labels:
      severity: warning
    annotations:
      summary: 'CPU {{ printf "%.0f" $value }}% busy for 10 minutes'
      description: 'The CPUs of {{ $externalLabels.instance }} have been more than 95% busy for 10 minutes.'
  - alert: HostHighLoad
    expr: system_cpu_load_average_5m / ${CPUS} > 2
    for: 10m
    labels:
      severity: warning
    annotations:
      summary: 'Load {{ printf "%.1f" $value }} per CPU'
      description: 'The 5-minute load average of {{ $externalLabels.instance }} is {{ printf "%.1f" $value }} per CPU: work is queueing for the CPUs.'
  - alert: HostNetworkErrors
    expr: |
      rate(system_network_errors_total[5m])
      / rate(system_network_packets_total[5m]) * 100 > 1
      and rate(system_network_packets_total[5m]) > 10
    for: 5m
    labels:
      severity: warning
    annotations:
      summary: '{{ $labels.device }}: {{ printf "%.1f" $value }}% of {{ $labels.direction }} packets in error'
  - alert: HostNetworkDrops
    expr: |
      rate(system_network_dropped_total[5m])
      / rate(system_network_packets_total[5m]) * 100 > 5
      and rate(system_network_packets_total[5m]) > 10
    for: 5m
    labels:
      severity: warning
    annotations:
      summary: '{{ $labels.device }}: {{ printf "%.1f" $value }}% of {{ $labels.direction }} packets dropped'
  - alert: HostMetricAnomaly
    expr: |
      max by (anomaly_metric) (
        max_over_time(telemd_anomaly{anomaly_metric="system_cpu_time_seconds_total", state=~"user|system|wait"}[1m])
        or max_over_time(telemd_anomaly{anomaly_metric="system_memory_usage_bytes", state="used"}[1m])
        or max_over_time(telemd_anomaly{anomaly_metric=~"system_cpu_load_average_1m|system_disk_io_time_seconds_total"}[1m])
      ) > 0
    keep_firing_for: 5m
    labels:
      severity: info
    annotations:
      summary: 'Anomaly in {{ $labels.anomaly_metric }}'
      description: 'The anomaly processor scored {{ $labels.anomaly_metric }} on {{ $externalLabels.instance }} as anomalous (an onset; the processor suppresses repeats of one incident).'

- name: telemd.logs
  rules:
  - alert: LogErrorRateJump
    expr: |
      sum(rate(telemd_log_errors_total[1m])) > 0.5
      and
      sum(rate(telemd_log_errors_total[1m])) > 5 * (sum(rate(telemd_log_errors_total[30m] offset 1m)) or vector(0))
    for: 5s
    keep_firing_for: 2m
    labels:
      severity: warning
    annotations:
      summary: 'Error log lines jumped to {{ printf "%.1f" $value }}/s'
      description: 'Error log records on {{ $externalLabels.instance }} arrive at {{ printf "%.1f" $value }}/s, more than 5 times the rate of the previous half hour.'
  - alert: LogNewErrorTemplate
    expr: increase(telemd_log_new_error_templates_total[5m]) > 0
    keep_firing_for: 1h
    labels:
      severity: info
    annotations:
      summary: 'New kind of error log line: {{ $labels.log_template }}'
      description: 'The logpattern processor saw an error line of a kind it had not seen before on {{ $externalLabels.instance }}. Resolve it by hand once read (telemd alerts resolve).'

- name: telemd.agent
  rules:
  - alert: TelemdExporterStalled
    expr: |
      increase(telemd_exporter_retries_total[1m]) > 0
      unless on(exporter, signal) increase(telemd_exporter_sent_items_total[10s]) > 0
    for: 10s
    labels:
      severity: warning
    annotations:
      summary: 'Exporter {{ $labels.exporter }} ({{ $labels.signal }}) delivers nothing and retries'
      description: 'The {{ $labels.exporter }} exporter of telemd on {{ $externalLabels.instance }} retries and has delivered nothing for 20 seconds: its backend is down or refusing.'
  - alert: TelemdExporterQueueAlmostFull
    expr: telemd_exporter_queue_size / telemd_exporter_queue_capacity * 100 > 80
    for: 1m
    labels:
      severity: warning
    annotations:
      summary: 'Sending queue of {{ $labels.exporter }} ({{ $labels.signal }}) is {{ printf "%.0f" $value }}% full'
  - alert: TelemdExporterDroppingData
    expr: increase(telemd_exporter_dropped_items_total[5m]) > 0
    labels:
      severity: warning
    annotations:
      summary: 'Exporter {{ $labels.exporter }} dropped {{ humanize $value }} items ({{ $labels.reason }})'
`;
