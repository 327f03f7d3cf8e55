// The catalogue of telemd's own metrics: every self-metric name, its type and its help text, in
// one place. Components name a metric from here (SelfTelemetry takes a SelfMetricName), the
// registry renders this help whatever a call site says, refuses an unlisted `telemd_` name, and
// refuses a component emitting another kind's metric (a receiver counting `telemd_processor_*`).
// Adding a metric = one line below, sorted within its group.
export type SelfMetricType = 'counter' | 'gauge';

export interface SelfMetricSpec {
  readonly type: SelfMetricType;
  readonly help: string;
}

export const SELF_METRICS = {
  // Receivers
  telemd_receiver_abandoned_items_total: { type: 'counter', help: 'Items whose client went away before the pipeline acknowledged them (they may arrive again as a retry)' },
  telemd_receiver_accepted_items_total: { type: 'counter', help: 'Items a receiver pushed into the pipeline that were accepted' },
  telemd_receiver_dropped_items_total: { type: 'counter', help: 'Items a receiver dropped on purpose (a stanza operator with on_error: drop)' },
  telemd_receiver_malformed_lines_total: { type: 'counter', help: 'StatsD lines that could not be parsed' },
  telemd_receiver_probes_delayed_total: { type: 'counter', help: 'Probes that waited for a free slot (max_concurrency reached)' },
  telemd_receiver_probes_running: { type: 'gauge', help: 'Probes running now' },
  telemd_receiver_probes_skipped_total: { type: 'counter', help: 'Probe ticks skipped because the previous probe of the same target was still running or waiting' },
  telemd_receiver_probes_started_total: { type: 'counter', help: 'Probes started by a check receiver' },
  telemd_receiver_probes_total: { type: 'counter', help: 'Probes finished, by result' },
  telemd_receiver_prometheus_failed_scrapes_total: { type: 'counter', help: 'Scrapes that failed (up=0)' },
  telemd_receiver_refused_items_total: { type: 'counter', help: 'Items a receiver could not hand on: refused by the pipeline, malformed, or not collected while earlier batches awaited delivery, by reason' },
  telemd_receiver_refused_requests_total: { type: 'counter', help: 'Requests refused before decoding their items' },
  telemd_receiver_scrape_errors_total: { type: 'counter', help: 'Scraper runs (collections) that failed' },
  telemd_receiver_scrape_skipped_objects_total: { type: 'counter', help: 'Objects a scraper could not read (vanished or unreadable processes)' },
  telemd_receiver_scrapes_skipped_total: { type: 'counter', help: 'Collections that reported nothing because their source was unavailable' },
  telemd_receiver_skipped_scrapes_total: { type: 'counter', help: 'Scrapes skipped because earlier batches were still awaiting delivery' },
  telemd_receiver_statsd_series: { type: 'gauge', help: 'Series aggregated in the current interval' },
  telemd_receiver_statsd_series_overflow_total: { type: 'counter', help: 'Samples refused because max_series was reached' },
  telemd_receiver_systemd_units: { type: 'gauge', help: 'Units matched at the last collection' },
  // Processors
  telemd_processor_anomaly_anomalous_points_total: { type: 'counter', help: 'Data points at or above the threshold' },
  telemd_processor_anomaly_events_failed_total: { type: 'counter', help: 'Onset log records the logs pipelines refused' },
  telemd_processor_anomaly_onsets_total: { type: 'counter', help: 'Anomalies that started (series went from normal to anomalous)' },
  telemd_processor_anomaly_scored_points_total: { type: 'counter', help: 'Data points scored by the detector' },
  telemd_processor_anomaly_series: { type: 'gauge', help: 'Series tracked' },
  telemd_processor_anomaly_series_evicted_total: { type: 'counter', help: 'Series forgotten because max_series was reached' },
  telemd_processor_anomaly_stale_points_total: { type: 'counter', help: 'Points not newer than the last scored one of their series (retries, out of order): passed on unscored' },
  telemd_processor_batch_sent_total: { type: 'counter', help: 'Batches sent, by what triggered them' },
  telemd_processor_dropped_items_total: { type: 'counter', help: 'Items the processor dropped on purpose' },
  telemd_processor_forecast_emitted_points_total: { type: 'counter', help: 'time_to_full points added' },
  telemd_processor_forecast_horizon_crossings_total: { type: 'counter', help: 'Forecasts that fell under the horizon' },
  telemd_processor_forecast_series: { type: 'gauge', help: 'Series tracked' },
  telemd_processor_forecast_series_evicted_total: { type: 'counter', help: 'Series forgotten because max_series was reached' },
  telemd_processor_incoming_items_total: { type: 'counter', help: 'Items that entered a processor' },
  telemd_processor_injected_items_total: { type: 'counter', help: 'Items a processor added from its twin in another pipeline' },
  telemd_processor_logpattern_anomalous_records_total: { type: 'counter', help: 'Records tagged anomaly=true (new template or rate jump)' },
  telemd_processor_logpattern_new_templates_total: { type: 'counter', help: 'Templates created' },
  telemd_processor_logpattern_skipped_records_total: { type: 'counter', help: 'Records without a text body (passed on untagged)' },
  telemd_processor_logpattern_storage_errors_total: { type: 'counter', help: 'Failed template loads or saves' },
  telemd_processor_logpattern_templates: { type: 'gauge', help: 'Templates known' },
  telemd_processor_logpattern_templates_evicted_total: { type: 'counter', help: 'Templates forgotten because max_templates was reached' },
  telemd_processor_ottl_errors_total: { type: 'counter', help: 'OTTL statements or conditions that failed on an item' },
  telemd_processor_outgoing_items_total: { type: 'counter', help: 'Items a processor passed on' },
  telemd_processor_redactions_total: { type: 'counter', help: 'Values redacted, by detector' },
  telemd_processor_refused_items_total: { type: 'counter', help: 'Items refused (memory_limiter: retryable; a failed batch: permanently)' },
  // Exporters
  telemd_exporter_discarded_items_total: { type: 'counter', help: 'Items a nop exporter accepted and discarded on purpose' },
  telemd_exporter_dropped_items_total: { type: 'counter', help: 'Items the exporter gave up on for good (lost), by reason' },
  telemd_exporter_file_syncs_total: { type: 'counter', help: 'fdatasyncs of the output file (one per group commit with fsync: true)' },
  telemd_exporter_handed_back_items_total: { type: 'counter', help: 'Items the exporter refused back to its sender as retryable (not lost: the sender keeps them and sends them again), by reason' },
  telemd_exporter_history_blocks: { type: 'gauge', help: 'Blocks on disk' },
  telemd_exporter_history_bytes_per_sample: { type: 'gauge', help: 'Block bytes per stored sample or roll-up point' },
  telemd_exporter_history_compaction_failures_total: { type: 'counter', help: 'Compactions that failed (retried)' },
  telemd_exporter_history_compactions_total: { type: 'counter', help: 'Blocks written (cuts from the head and merges)' },
  telemd_exporter_history_deleted_blocks_total: { type: 'counter', help: 'Blocks deleted' },
  telemd_exporter_history_deleted_samples_total: { type: 'counter', help: 'Samples or roll-up points deleted with their blocks' },
  telemd_exporter_history_disk_bytes: { type: 'gauge', help: 'Bytes on disk' },
  telemd_exporter_history_duplicate_samples_total: { type: 'counter', help: 'Samples received again with the same value (stored once)' },
  telemd_exporter_history_head_bytes: { type: 'gauge', help: 'Bytes of samples in memory' },
  telemd_exporter_history_head_samples: { type: 'gauge', help: 'Samples in memory' },
  telemd_exporter_history_head_series: { type: 'gauge', help: 'Series with samples in memory (not yet in a block)' },
  telemd_exporter_history_oldest_timestamp_seconds: { type: 'gauge', help: 'Oldest time the tier holds' },
  telemd_exporter_history_read_errors_total: { type: 'counter', help: 'Block reads that failed during queries' },
  telemd_exporter_history_samples_appended_total: { type: 'counter', help: 'Samples stored (staleness markers included)' },
  telemd_exporter_history_samples_refused_total: { type: 'counter', help: 'Samples not stored' },
  telemd_exporter_history_series: { type: 'gauge', help: 'Series in the store' },
  telemd_exporter_history_stale_markers_total: { type: 'counter', help: 'Staleness markers written for series that stopped' },
  telemd_exporter_history_stored_samples: { type: 'gauge', help: 'Samples (raw) or roll-up points in blocks' },
  telemd_exporter_history_wal_corrupt_records_total: { type: 'counter', help: 'Damaged WAL records skipped at start' },
  telemd_exporter_history_wal_fsyncs_total: { type: 'counter', help: 'WAL fdatasync calls' },
  telemd_exporter_partial_rejected_items_total: { type: 'counter', help: 'Items the backend rejected in a partial-success answer (not retried)' },
  telemd_exporter_prometheus_series: { type: 'gauge', help: 'Series held for scraping' },
  telemd_exporter_prometheus_series_collisions_total: { type: 'counter', help: 'Points that had the same labels as another point of the same batch and time (only the last is exposed); also counted as dropped' },
  telemd_exporter_queue_capacity: { type: 'gauge', help: 'Capacity of the sending queue (queue_size)' },
  telemd_exporter_queue_corrupt_records_total: { type: 'counter', help: 'Damaged records skipped in the persistent queue' },
  telemd_exporter_queue_disk_bytes: { type: 'gauge', help: 'Bytes of the persistent queue on disk' },
  telemd_exporter_queue_disk_capacity_bytes: { type: 'gauge', help: 'max_disk_size of the persistent queue' },
  telemd_exporter_queue_disk_syncs_total: { type: 'counter', help: 'Group commits (write + fdatasync) of the persistent queue' },
  telemd_exporter_queue_read_errors_total: { type: 'counter', help: 'Failed reads of persistent queue records (kept and read again)' },
  telemd_exporter_queue_size: { type: 'gauge', help: 'Batches in the sending queue (in units of sizer: ${q.sizer})' },
  telemd_exporter_retries_total: { type: 'counter', help: 'Failed export attempts that were retried' },
  telemd_exporter_send_failed_items_total: { type: 'counter', help: 'Items whose export failed: refused by the backend, or out of retries (see dropped / handed_back for what became of them)' },
  telemd_exporter_sent_items_total: { type: 'counter', help: 'Items the exporter delivered' },
  // Connectors
  telemd_connector_alerts_alerts: { type: 'gauge', help: 'Alerts by state (acknowledged: pending or firing, acknowledged)' },
  telemd_connector_alerts_evaluation_seconds_total: { type: 'counter', help: 'Time spent evaluating rule groups' },
  telemd_connector_alerts_group_iterations_missed_total: { type: 'counter', help: 'Group evaluations skipped because the previous one was still running' },
  telemd_connector_alerts_last_evaluation_seconds: { type: 'gauge', help: 'Duration of the last group evaluation' },
  telemd_connector_alerts_log_records_dropped_total: { type: 'counter', help: 'Alert log records refused for good by a logs pipeline, or over the pending limit' },
  telemd_connector_alerts_log_records_retried_total: { type: 'counter', help: 'Alert log records a logs pipeline handed back (retried)' },
  telemd_connector_alerts_log_records_total: { type: 'counter', help: 'Alert log records handed to the logs pipelines' },
  telemd_connector_alerts_notification_queue_length: { type: 'gauge', help: 'Alerts (or webhook messages) waiting to be delivered' },
  telemd_connector_alerts_notifications_dropped_total: { type: 'counter', help: 'Alerts (or webhook messages) given up: queue full, or refused by the receiver' },
  telemd_connector_alerts_notifications_failed_total: { type: 'counter', help: 'Alerts (or webhook messages) whose delivery attempt failed (retried unless refused)' },
  telemd_connector_alerts_notifications_sent_total: { type: 'counter', help: 'Alerts (or webhook messages) delivered' },
  telemd_connector_alerts_rule_evaluation_failures_total: { type: 'counter', help: 'Rule evaluations that failed (the rule keeps its alerts)' },
  telemd_connector_alerts_rule_evaluations_total: { type: 'counter', help: 'Rule evaluations' },
  telemd_connector_alerts_rules: { type: 'gauge', help: 'Rules loaded' },
  telemd_connector_alerts_silence_errors_total: { type: 'counter', help: 'Silence requests that failed (retried)' },
  telemd_connector_alerts_silences_total: { type: 'counter', help: 'Silences created or expired at Alertmanagers' },
  telemd_connector_alerts_template_errors_total: { type: 'counter', help: 'Label or annotation templates that failed to expand' },
  telemd_connector_alerts_window_refused_samples_total: { type: 'counter', help: 'Samples the window refused (out of order, duplicate, series limit)' },
  telemd_connector_alerts_window_samples_total: { type: 'counter', help: 'Samples added to the evaluation window' },
  telemd_connector_alerts_window_series: { type: 'gauge', help: 'Series in the evaluation window' },
  telemd_connector_slo_evaluation_failures_total: { type: 'counter', help: 'SLO evaluations that failed (PromQL errors); the objective keeps its last figures' },
  telemd_connector_slo_evaluations_total: { type: 'counter', help: 'SLO objective evaluations' },
  telemd_connector_slo_events_total: { type: 'counter', help: 'Probes (probe SLIs) or buckets (PromQL SLIs) added to the budget ledgers' },
  telemd_connector_slo_ledger_buckets: { type: 'gauge', help: 'Buckets kept in the budget ledgers (bounded by window / bucket per objective)' },
  telemd_connector_slo_objectives: { type: 'gauge', help: 'Objectives evaluated' },
  telemd_connector_slo_state_save_failures_total: { type: 'counter', help: 'Budget ledger saves to file_storage that failed' },
  telemd_connector_slo_window_refused_samples_total: { type: 'counter', help: 'Samples the PromQL window refused (out of order, series limit)' },
  telemd_connector_slo_window_series: { type: 'gauge', help: 'Series in the PromQL window' },
  telemd_connector_discarded_items_total: { type: 'counter', help: 'Items a nop connector accepted and discarded on purpose' },
  telemd_connector_incoming_items_total: { type: 'counter', help: 'Items that entered a connector (its exporter side)' },
  telemd_connector_outgoing_items_total: { type: 'counter', help: 'Items a connector passed to the pipelines it feeds' },
  telemd_connector_routing_condition_errors_total: { type: 'counter', help: 'Route conditions that failed to evaluate' },
  telemd_connector_routing_unrouted_items_total: { type: 'counter', help: 'Items no route matched and no default pipeline took (dropped)' },
  // The process and the agent
  telemd_config_reload_requests_coalesced_total: { type: 'counter', help: 'Reload requests answered by a reload another request had already asked for' },
  telemd_config_reloads_total: { type: 'counter', help: 'Config reloads' },
  telemd_console_refused_requests_total: { type: 'counter', help: 'Console requests refused: no or wrong bearer token or session, a foreign Origin, a non-local Host, a missing CSRF token, an invalid login link' },
  telemd_console_requests_total: { type: 'counter', help: 'Console requests answered, by route and status' },
  telemd_console_tap_batches_total: { type: 'counter', help: 'Tap batches streamed to readers' },
  telemd_console_tap_dropped_total: { type: 'counter', help: 'Tap batches dropped because a reader was slow (its buffer full)' },
  telemd_console_tap_skipped_total: { type: 'counter', help: 'Tap batches not copied because of the per-tap rate limit' },
  telemd_console_taps_open: { type: 'gauge', help: 'Taps attached to components for readers now (one per signal of the tapped component)' },
  telemd_cumulativetodelta_streams: { type: 'gauge', help: 'Streams tracked' },
  telemd_deltatocumulative_out_of_order_items_total: { type: 'counter', help: 'Points dropped as late or duplicate' },
  telemd_deltatocumulative_stream_limit_items_total: { type: 'counter', help: 'Points dropped because max_streams was reached' },
  telemd_deltatocumulative_streams: { type: 'gauge', help: 'Streams tracked' },
  telemd_filelog_open_files: { type: 'gauge', help: 'Files held open' },
  telemd_filelog_operator_errors_total: { type: 'counter', help: 'Records an operator failed on (kept as-is)' },
  telemd_filelog_refused_files_total: { type: 'counter', help: 'Matched files not opened by the access policy (README "Security")' },
  telemd_filelog_truncated_records_total: { type: 'counter', help: 'Records cut at max_log_size' },
  telemd_grpc_cut_total: { type: 'counter', help: 'gRPC connections closed (too many per client) or calls cancelled (request not received in read_timeout)' },
  telemd_http_cut_connections_total: { type: 'counter', help: 'HTTP connections closed by the server: slow headers or body, too many per client, malformed HTTP' },
  telemd_inflight_bytes: { type: 'gauge', help: 'Bytes of data held in flight (estimated memory), by budget' },
  telemd_inflight_bytes_limit: { type: 'gauge', help: 'Byte budget for data in flight' },
  telemd_journald_restarts_total: { type: 'counter', help: 'Times journalctl was restarted' },
  telemd_loadbalancer_backends: { type: 'gauge', help: 'Backends on the ring' },
  telemd_loadbalancer_resolutions_total: { type: 'counter', help: 'DNS resolutions of the loadbalancing resolver' },
  telemd_memory_limiter_external_bytes: { type: 'gauge', help: 'Buffer and other external memory at the last check' },
  telemd_memory_limiter_forced_gc_total: { type: 'counter', help: 'Garbage collections forced' },
  telemd_memory_limiter_heap_used_bytes: { type: 'gauge', help: 'V8 heap in use at the last check' },
  telemd_memory_limiter_in_use_bytes: { type: 'gauge', help: 'Memory in use (see README): what the limits are compared with' },
  telemd_memory_limiter_refusing: { type: 'gauge', help: '1 while data is refused for memory' },
  telemd_memory_limiter_rss_bytes: { type: 'gauge', help: 'Process RSS at the last check' },
  telemd_process_cpu_seconds_total: { type: 'counter', help: 'CPU time used by the agent (user + system)' },
  telemd_process_heap_used_bytes: { type: 'gauge', help: 'V8 heap in use' },
  telemd_process_resident_memory_bytes: { type: 'gauge', help: 'Resident set size of the agent' },
  telemd_process_start_time_seconds: { type: 'gauge', help: 'When the agent started, in Unix seconds' },
  telemd_process_uptime_seconds: { type: 'counter', help: 'Seconds since the agent started' },
  telemd_rate_limit_keys: { type: 'gauge', help: 'Keys currently tracked by the rate limiter' },
  telemd_sampler_missing_randomness_items_total: { type: 'counter', help: 'Items with no trace id or attribute to hash (dropped when fail_closed)' },
  telemd_storage_clients: { type: 'gauge', help: 'Open storage clients' },
} as const satisfies Record<string, SelfMetricSpec>;

export type SelfMetricName = keyof typeof SELF_METRICS;

export function selfMetricSpec(name: string): SelfMetricSpec | undefined {
  return Object.hasOwn(SELF_METRICS, name) ? SELF_METRICS[name as SelfMetricName] : undefined;
}

/** The component kinds whose metrics a series labelled with a component of `kind` may carry (a connector is an exporter to one pipeline and a receiver to another). */
const MAY_EMIT: Record<string, readonly string[]> = {
  receiver: ['receiver'],
  processor: ['processor'],
  exporter: ['exporter'],
  connector: ['connector', 'receiver', 'exporter'],
  extension: [],
};
const KIND_PREFIX = /^telemd_(receiver|processor|exporter|connector|extension)_/;

/**
 * Why `name` may not be registered with `labels`, or undefined when it may: an unlisted
 * `telemd_` name, or a component of one kind emitting another kind's metric.
 */
export function selfMetricProblem(name: string, type: SelfMetricType, labels: Readonly<Record<string, string>>): string | undefined {
  if (!name.startsWith('telemd_')) return undefined; // metrics of libraries (OpenTelemetry API bridge)
  const spec = selfMetricSpec(name);
  if (!spec) return `self-metric ${name} is not in the catalogue (src/telemetry/catalogue.ts)`;
  if (spec.type !== type) return `self-metric ${name} is a ${spec.type} in the catalogue, registered as a ${type}`;
  const prefix = KIND_PREFIX.exec(name)?.[1];
  if (!prefix) return undefined;
  for (const kind of Object.keys(MAY_EMIT))
    if (labels[kind] !== undefined && !MAY_EMIT[kind]!.includes(prefix)) return `self-metric ${name} is a ${prefix} metric; ${kind} ${labels[kind]} may not emit it`;
  return undefined;
}
