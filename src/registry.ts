// Every component type telemd knows. Adding a component = adding its folder and one line here.
import type { Factory } from './component/component.js';
import { factory as batch } from '../processors/batch/index.js';
import { factory as fileExporter } from '../exporters/file/index.js';
import { factory as debugExporter } from '../exporters/debug/index.js';
import { factory as healthCheck } from '../extensions/health_check/index.js';
import { factory as hostmetrics } from '../receivers/hostmetrics/index.js';
import { factory as fileStorage } from '../extensions/file_storage/index.js';
import { factory as prometheusExporter } from '../exporters/prometheus/index.js';

export const factories: Factory[] = [
  batch as Factory,
  fileExporter as Factory,
  debugExporter as Factory,
  healthCheck as Factory,
  hostmetrics as Factory,
  fileStorage as Factory,
  prometheusExporter as Factory,
];
