// Public surface of the pure status core: what the reconcilers call after each pass. Every function
// takes the observed objects and `now` and returns the new status (plus events, or a gate decision)
// as data; no I/O, no clock.

export * from './conditions.js';
export * from './events.js';
export * from './ever-available.js';
export * from './gang-termination.js';
export * from './gang-termination-plan.js';
export * from './gates.js';
export * from './objects.js';
export * from './podclique.js';
export * from './podcliqueset.js';
export * from './podgang.js';
export * from './scalinggroup.js';
export * from './stuck-pods.js';
export * from './topology.js';
export * from './clustertopology.js';
