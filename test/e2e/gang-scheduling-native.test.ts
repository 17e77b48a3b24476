// Grove's gang (GS) and topology (TAS) scenarios with the local cluster in workload-scheduling mode
// native: kube-scheduler places every gang that v1.37's Workload, CompositePodGroup and PodGroup can
// express, and the others (replica spread, preferred packing) still go through copse's extender, each
// scenario asserting which backend holds its gangs. The same scenarios, with the same assertions, run
// on the extender backend in gang-scheduling.test.ts and topology-scheduling.test.ts
// (test/support/gang-scenarios.ts, topology-scenarios.ts). Both sets share this one file so the
// suite's cluster is switched to native mode and back once (test/support/workload-mode.ts), not twice.
import { inject } from 'vitest';
import { gangScenarios } from '../support/gang-scenarios.js';
import { topologyScenarios } from '../support/topology-scenarios.js';
import { useWorkloadScheduling } from '../support/workload-mode.js';

useWorkloadScheduling('native');
gangScenarios('native', inject('kubeconfig'));
topologyScenarios('native', inject('kubeconfig'));
