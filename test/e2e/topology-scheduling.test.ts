// Grove's topology-aware scheduling scenarios (TAS3-TAS23, test/support/topology-scenarios.ts) on the
// stock kube-scheduler with copse's extender: the cluster in workload-scheduling mode off, so copse's
// planner holds every gang. The same scenarios run on the native backend in
// gang-scheduling-native.test.ts. The ClusterTopologyBinding controller's scenarios (KAI's Topology
// CRD installed by the test) do not depend on the backend and run here only.
import { inject } from 'vitest';
import { clusterTopologyControllerScenarios, topologyScenarios } from '../support/topology-scenarios.js';
import { useWorkloadScheduling } from '../support/workload-mode.js';

useWorkloadScheduling('off');
// The controller's scenarios first, while the cluster is quiet: the scenarios' cleanup deletes a
// hundred pods, and events and status writes queue behind that.
clusterTopologyControllerScenarios(inject('kubeconfig'));
topologyScenarios('extender', inject('kubeconfig'));
