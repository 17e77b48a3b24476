// The gang planner: where a whole gang's minimum goes, all or nothing, inside the topology domains it
// asks for; pure functions of a cluster snapshot and a planning unit.
export { ClusterIndex, indexCluster } from './cluster.js';
export type { ClusterInput, Eligibility, LabelDomains, Reservation } from './cluster.js';
export { PlanInputError } from './errors.js';
export { gangFromPodGang } from './from-podgang.js';
export type {
  DomainChoice,
  GangInput,
  GangPlaced,
  GangPlan,
  GangUnschedulable,
  GroupConfigInput,
  PackConstraint,
  PlanUnit,
  PodGroupInput,
  PodInput,
  PodPlacement,
  Shortfall,
  SpreadConstraint,
  UnitPlan,
} from './model.js';
export {
  fieldRequirementMatches,
  labelRequirementMatches,
  nodeRejection,
  nodeSelectorMatches,
  nodeSelectorTermMatches,
  nodeView,
  requiredNodeAffinityMatches,
  toleratesTaint,
  untoleratedTaint,
} from './node-selection.js';
export type { NodeView, PodSelection } from './node-selection.js';
export { pinPlanned, planGang, planReservations, planUnit, withExtras, type PlanOptions } from './plan.js';
export { formatAmount, resourceAmount } from './quantity.js';
export { containerRequests, nodeAllocatable, podHoldsResources, podRequests, PODS } from './resources.js';
export type { ResourceAmounts } from './resources.js';
