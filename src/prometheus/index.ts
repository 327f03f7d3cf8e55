export * from './model.js';
export * from './names.js';
export * from './translate.js';
export * from './delta.js';
export * from './textwriter.js';
export * from './endpoint.js';
export * from './remotewrite.js';
export * from './rwbuild.js';
