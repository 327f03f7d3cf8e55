// The same telemetry in both shapes: SDK objects (for @opentelemetry/otlp-transformer) and the
// pdata model (for telemd's codec), the latter decoded from the former's own protobuf output.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

const resource = resourceFromAttributes({
  'service.name': 'checkout', 'service.version': '1.4.2', 'host.name': 'web-17', 'process.pid': 4242, 'k8s.pod.name': 'checkout-7d9f',
});

export function sdkSpans(n: number): ReadableSpan[] {
  const mem = new InMemorySpanExporter();
  const tp = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: mem })] });
  const tracer = tp.getTracer('bench', '1.0.0');
  for (let i = 0; i < n; i++) {
    const s = tracer.startSpan(`GET /api/items/${i % 50}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET', 'url.path': `/api/items/${i % 50}`, 'http.response.status_code': 200,
        'server.address': 'shop.example.com', 'server.port': 443, 'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
        'http.route': '/api/items/:id', 'db.rows': i % 17, 'cache.hit': i % 3 === 0, 'latency.ratio': (i % 100) / 7,
      },
    });
    if (i % 4 === 0) s.addEvent('cache miss', { 'cache.key': `item:${i}` });
    if (i % 10 === 0) s.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timeout' });
    s.end();
  }
  return mem.getFinishedSpans();
}

export function sdkLogs(n: number): ReadableLogRecord[] {
  const mem = new InMemoryLogRecordExporter();
  const lp = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: mem })] });
  const logger = lp.getLogger('bench', '1.0.0');
  for (let i = 0; i < n; i++)
    logger.emit({
      body: `request ${i} completed in ${i % 250} ms for user ${i % 97} with status 200 and 1532 bytes`,
      severityNumber: i % 20 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO,
      severityText: i % 20 === 0 ? 'ERROR' : 'INFO',
      attributes: { 'log.file.name': 'app.log', 'thread.id': i % 8, 'code.function': 'handleRequest', 'user.id': `u-${i % 97}` },
    });
  return mem.getFinishedLogRecords();
}

class ManualReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** `series` series spread over counters, gauges and histograms. */
export async function sdkMetrics(series: number): Promise<ResourceMetrics> {
  const reader = new ManualReader();
  const mp = new MeterProvider({ resource, readers: [reader] });
  const meter = mp.getMeter('bench', '1.0.0');
  const c = meter.createCounter('http.server.requests');
  const h = meter.createHistogram('http.server.duration', { unit: 'ms' });
  const g = meter.createUpDownCounter('queue.depth');
  for (let i = 0; i < series / 3; i++) {
    const attrs = { 'http.route': `/r/${i}`, 'http.request.method': i % 2 ? 'GET' : 'POST', 'http.response.status_code': 200 };
    c.add(i + 1, attrs);
    for (let k = 0; k < 5; k++) h.record((i * 7 + k * 13) % 900, attrs);
    g.add(i % 11, attrs);
  }
  return (await reader.collect()).resourceMetrics;
}
