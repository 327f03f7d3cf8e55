export * from './types.js';
export * from './count.js';
export * from './time.js';
export * from './split.js';
