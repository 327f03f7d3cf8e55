// The metrics of the httpcheck receiver: the Collector contrib receiver's names, units and
// attributes, the phase timings it has as optional metrics (on here), and telemd's probe counters.
import type { MetricDef } from '../../src/checks/metrics.js';

const gaugeMs = (description: string): MetricDef => ({ description, unit: 'ms', kind: 'gauge', enabled: true });

export const DEFS: Record<string, MetricDef> = {
  'httpcheck.status': { description: '1 if the check resulted in status_code matching the status_class, otherwise 0.', unit: '1', kind: 'sum', monotonic: false, int: true, enabled: true },
  'httpcheck.duration': gaugeMs('Measures the duration of the HTTP check.'),
  'httpcheck.error': { description: 'Records errors occurring during HTTP check.', unit: '{error}', kind: 'sum', monotonic: false, int: true, enabled: true },
  'httpcheck.dns.lookup.duration': gaugeMs('Time spent resolving the host name (0 for an IP address).'),
  'httpcheck.client.connection.duration': gaugeMs('Time spent establishing the TCP connection.'),
  'httpcheck.tls.handshake.duration': gaugeMs('Time spent in the TLS handshake (0 for http://).'),
  'httpcheck.client.request.duration': gaugeMs('Time spent writing the HTTP request.'),
  'httpcheck.first_byte.duration': gaugeMs('telemd: time from the request being written to the first byte of the response (server processing).'),
  'httpcheck.response.duration': gaugeMs('Time from the first response byte to the last (transfer).'),
  'httpcheck.response.size': { description: 'Size of the response body.', unit: 'By', kind: 'gauge', int: true, enabled: true },
  'httpcheck.tls.cert_remaining': { description: 'Time until the server certificate expires (negative once expired).', unit: 's', kind: 'gauge', int: true, enabled: true },
  'httpcheck.validation.passed': { description: 'Response validations that passed.', unit: '{validation}', kind: 'sum', monotonic: false, int: true, enabled: true },
  'httpcheck.validation.failed': { description: 'Response validations that failed.', unit: '{validation}', kind: 'sum', monotonic: false, int: true, enabled: true },
  'httpcheck.probes': { description: 'telemd: probes made of this target since the receiver started.', unit: '{probe}', kind: 'sum', monotonic: true, int: true, enabled: true },
  'httpcheck.probes.failed': { description: 'telemd: probes that failed (no response, a status outside valid_status_codes, or a failed validation).', unit: '{probe}', kind: 'sum', monotonic: true, int: true, enabled: true },
};
