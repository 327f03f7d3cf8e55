// The state directory rule, shared with file_storage and the history exporter.
export { defaultStateDirectory } from '../../src/storage/state-dir.js';
