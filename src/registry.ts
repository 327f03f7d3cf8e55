// Every component type telemd knows. Adding a component = adding its folder and one line here.
import type { AnyFactory } from './component/component.js';
import { factory as ipc } from '../receivers/ipc/index.js';
import { factory as statsd } from '../receivers/statsd/index.js';
import { factory as filelog } from '../receivers/filelog/index.js';
import { factory as journald } from '../receivers/journald/index.js';
import { factory as batch } from '../processors/batch/index.js';
import { factory as fileExporter } from '../exporters/file/index.js';
import { factory as debugExporter } from '../exporters/debug/index.js';
import { factory as healthCheck } from '../extensions/health_check/index.js';
import { factory as hostmetrics } from '../receivers/hostmetrics/index.js';
import { factory as fileStorage } from '../extensions/file_storage/index.js';
import { factory as prometheusExporter } from '../exporters/prometheus/index.js';
import { factory as memoryLimiter } from '../processors/memory_limiter/index.js';
import { factory as probabilisticSampler } from '../processors/probabilistic_sampler/index.js';
import { factory as rateLimit } from '../processors/rate_limit/index.js';
import { factory as filterProcessor } from '../processors/filter/index.js';
import { factory as attributesProcessor } from '../processors/attributes/index.js';
import { factory as resourceProcessor } from '../processors/resource/index.js';
import { factory as resourceDetection } from '../processors/resourcedetection/index.js';
import { factory as transformProcessor } from '../processors/transform/index.js';
import { factory as cumulativeToDelta } from '../processors/cumulativetodelta/index.js';
import { factory as deltaToCumulative } from '../processors/deltatocumulative/index.js';
import { factory as prometheusRemoteWrite } from '../exporters/prometheusremotewrite/index.js';
import { factory as otlpReceiver } from '../receivers/otlp/index.js';
import { factory as otlpExporter } from '../exporters/otlp/index.js';
import { factory as otlphttpExporter } from '../exporters/otlphttp/index.js';
import { factory as loadbalancingExporter } from '../exporters/loadbalancing/index.js';
import { factory as anonymization } from '../processors/anonymization/index.js';
import { factory as anomaly } from '../processors/anomaly/index.js';
import { factory as logpattern } from '../processors/logpattern/index.js';
import { factory as forecast } from '../processors/forecast/index.js';
import { factory as prometheusReceiver } from '../receivers/prometheus/index.js';
import { factory as nopReceiver } from '../receivers/nop/index.js';
import { factory as nopProcessor } from '../processors/nop/index.js';
import { factory as nopExporter } from '../exporters/nop/index.js';
import { factory as nopExtension } from '../extensions/nop/index.js';
import { factory as metricsTransform } from '../processors/metricstransform/index.js';
import { factory as zpages } from '../extensions/zpages/index.js';
import { factory as consoleExt } from '../extensions/console/index.js';
import { factory as pprof } from '../extensions/pprof/index.js';
import { factory as bearerTokenAuth } from '../extensions/bearertokenauth/index.js';
import { factory as basicAuth } from '../extensions/basicauth/index.js';
import { factory as headersSetter } from '../extensions/headers_setter/index.js';
import { factory as forwardConnector } from '../connectors/forward/index.js';
import { factory as countConnector } from '../connectors/count/index.js';
import { factory as routingConnector } from '../connectors/routing/index.js';
import { factory as nopConnector } from '../connectors/nop/index.js';
import { factory as historyExporter } from '../exporters/history/index.js';
import { factory as httpcheck } from '../receivers/httpcheck/index.js';
import { factory as tcpcheck } from '../receivers/tcpcheck/index.js';
import { factory as systemdReceiver } from '../receivers/systemd/index.js';
import { factory as alertsConnector } from '../connectors/alerts/index.js';
import { factory as sloConnector } from '../connectors/slo/index.js';

export const factories: readonly AnyFactory[] = [
  ipc,
  statsd,
  otlpReceiver,
  otlpExporter,
  otlphttpExporter,
  loadbalancingExporter,
  filelog,
  journald,
  batch,
  fileExporter,
  debugExporter,
  healthCheck,
  hostmetrics,
  fileStorage,
  prometheusExporter,
  memoryLimiter,
  probabilisticSampler,
  rateLimit,
  filterProcessor,
  attributesProcessor,
  resourceProcessor,
  resourceDetection,
  transformProcessor,
  cumulativeToDelta,
  deltaToCumulative,
  prometheusRemoteWrite,
  anonymization,
  anomaly,
  logpattern,
  forecast,
  prometheusReceiver,
  nopReceiver,
  nopProcessor,
  nopExporter,
  nopExtension,
  metricsTransform,
  zpages,
  consoleExt,
  pprof,
  bearerTokenAuth,
  basicAuth,
  headersSetter,
  forwardConnector,
  countConnector,
  routingConnector,
  nopConnector,
  historyExporter,
  httpcheck,
  tcpcheck,
  systemdReceiver,
  alertsConnector,
  sloConnector,
];
