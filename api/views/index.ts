// The live views the aggregated API server (apiserver/) serves, as pure functions of the objects an
// informer cache holds: no I/O, no clock. apiserver/ imports this package, never the other way round.

export * from './meta.js';
export * from './placement.js';
export * from './podcliqueset.js';
export * from './quantity.js';
export * from './topology.js';
