// The metrics of the tcpcheck receiver: the Collector contrib receiver's names, units and
// attributes, plus telemd's certificate expiry (tls: true) and probe counters.
import type { MetricDef } from '../../src/checks/metrics.js';

export const DEFS: Record<string, MetricDef> = {
  'tcpcheck.status': { description: '1 if the TCP client successfully connected, otherwise 0.', unit: '1', kind: 'gauge', int: true, enabled: true },
  'tcpcheck.duration': { description: 'Measures the duration of TCP connection.', unit: 'ms', kind: 'gauge', enabled: true },
  'tcpcheck.error': { description: 'Records errors occurring during TCP check.', unit: '{error}', kind: 'sum', monotonic: true, int: true, enabled: true },
  'tcpcheck.tls.cert_remaining': { description: 'telemd: time until the server certificate expires (negative once expired).', unit: 's', kind: 'gauge', int: true, enabled: true },
  'tcpcheck.probes': { description: 'telemd: probes made of this endpoint since the receiver started.', unit: '{probe}', kind: 'sum', monotonic: true, int: true, enabled: true },
  'tcpcheck.probes.failed': { description: 'telemd: probes that failed (no connection, TLS refused, or expect not met).', unit: '{probe}', kind: 'sum', monotonic: true, int: true, enabled: true },
};
