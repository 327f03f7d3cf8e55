// The storage contracts live with the other component contracts (src/component/storage.ts);
// this module re-exports them for the implementations here and their users.
export { isStorageExtension, type StorageClient, type StorageExtension } from '../component/storage.js';
