// Grove's topology-aware scheduling scenarios (TAS3-TAS23, test/support/topology-scenarios.ts) with the
// local cluster in workload-scheduling mode native: kube-scheduler places every gang v1.37's Workload,
// CompositePodGroup and PodGroup can express, preferred packing still goes through copse's extender,
// and each scenario asserts which backend took which gang. The file switches the suite's cluster to
// native mode and back afterwards (test/support/workload-mode.ts).
import { inject } from 'vitest';
import { topologyScenarios } from '../support/topology-scenarios.js';
import { useWorkloadScheduling } from '../support/workload-mode.js';

useWorkloadScheduling('native');
topologyScenarios('native', inject('kubeconfig'));
