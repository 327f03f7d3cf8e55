// Every component type telemd knows. Adding a component = adding its folder and one line here.
import type { Factory } from './component/component.js';
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

export const factories: Factory[] = [
  ipc as Factory,
  statsd as Factory,
  otlpReceiver as Factory,
  otlpExporter as Factory,
  otlphttpExporter as Factory,
  filelog as Factory,
  journald as Factory,
  batch as Factory,
  fileExporter as Factory,
  debugExporter as Factory,
  healthCheck as Factory,
  hostmetrics as Factory,
  fileStorage as Factory,
  prometheusExporter as Factory,
  memoryLimiter as Factory,
  probabilisticSampler as Factory,
  rateLimit as Factory,
  filterProcessor as Factory,
  attributesProcessor as Factory,
  resourceProcessor as Factory,
  resourceDetection as Factory,
  transformProcessor as Factory,
  cumulativeToDelta as Factory,
  deltaToCumulative as Factory,
  prometheusRemoteWrite as Factory,
  anonymization as Factory,
  anomaly as Factory,
  logpattern as Factory,
  forecast as Factory,
  prometheusReceiver as Factory,
  nopReceiver as Factory,
  nopProcessor as Factory,
  nopExporter as Factory,
  nopExtension as Factory,
  metricsTransform as Factory,
];
