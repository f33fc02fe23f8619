export * from './errors.js';
export * from './trace.js';
export * from './search.js';
