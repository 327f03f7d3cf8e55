// A Host for in-process component tests: no extensions, and storage only
// when the test provides it.
import type { ExtensionHost, Host } from '../../src/component/component.js';
import type { ServiceView } from '../../src/component/service-view.js';
import { MetricRegistry } from '../../src/telemetry/self.js';

export interface TestHostOptions {
  /** Storage clients by extension id; without it getStorage rejects. */
  getStorage?: Host['getStorage'];
  reportFatal?: Host['reportFatal'];
}

export function testHost(o: TestHostOptions = {}): Host {
  return {
    getExtension: () => undefined,
    getStorage: async (ext, owner, signal) => {
      if (!o.getStorage) throw new Error(`no storage extension ${ext}`);
      return o.getStorage(ext, owner, signal);
    },
    reportFatal: o.reportFatal ?? (() => {}),
  };
}

/**
 * An ExtensionHost for extensions started outside an agent (file_storage in unit tests): the
 * service view answers nothing and refuses reloads.
 */
export function testExtensionHost(o: TestHostOptions = {}): ExtensionHost {
  const service: ServiceView = {
    health: () => ({ healthy: true, reasons: [] }),
    graph: () => ({ nodes: [], edges: [] }),
    pipelines: () => [],
    config: () => ({}),
    metrics: new MetricRegistry(),
    taps: { attach: () => { throw new Error('no agent in this test'); }, list: () => [] },
    requestReload: async () => ({ applied: false, errors: ['no agent in this test'] }),
  };
  return { ...testHost(o), service };
}
