export * from './storage.js';
export { FileStorageClient } from './file-client.js';
export { fsyncDir, safeName, writeFileAtomic } from './fsutil.js';
export { acquireDirLock, type LockWarn } from './lock.js';
export { defaultStateDirectory } from './state-dir.js';
