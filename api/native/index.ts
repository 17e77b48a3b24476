export * from './wire.js';
export * from './translate.js';
export * from './decision.js';
export * from './status.js';
export * from './support.js';
export * from './backend.js';
export * from './pin.js';
