// Desired state of everything copse creates for a PodCliqueSet: pure functions the reconcilers call.
export * from './backend.js';
export * from './env.js';
export * from './hash.js';
export * from './hpa.js';
export * from './meta.js';
export * from './pod.js';
export * from './podclique.js';
export * from './podgang.js';
export * from './podscaling.js';
export * from './rbac.js';
export * from './replicas.js';
export * from './scalinggroup.js';
export * from './service.js';
export * from './startup.js';
export * from './template.js';
export * from './topology.js';
export * from './tree.js';
