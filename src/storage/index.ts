export * from './storage.js';
export { FileStorageClient } from './file-client.js';
export { fsyncDir, safeName, writeFileAtomic } from './fsutil.js';
