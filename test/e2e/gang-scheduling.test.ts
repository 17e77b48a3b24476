// Grove's gang (GS) and topology (TAS) scenarios on the stock kube-scheduler with copse's extender, no
// KAI: the cluster in workload-scheduling mode off, so copse's planner holds every gang. The same
// scenarios run on the native backend in gang-scheduling-native.test.ts (test/support/gang-scenarios.ts).
import { inject } from 'vitest';
import { gangScenarios } from '../support/gang-scenarios.js';
import { useWorkloadScheduling } from '../support/workload-mode.js';

useWorkloadScheduling('off');
gangScenarios('extender', inject('kubeconfig'));
