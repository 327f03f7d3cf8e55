// A Host for in-process component tests: no extensions, a healthy agent, and storage only
// when the test provides it.
import type { Host } from '../../src/component/component.js';

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
    agent: { health: () => ({ healthy: true, reasons: [] }), reload: async () => ({ applied: false, errors: [] }) },
  };
}
