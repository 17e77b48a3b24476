// Admission of invalid PodCliqueSets and of ClusterTopologyBindings through the real kube-apiserver
// and the pinned kubectl: each case is one small mutation of a valid object, and asserts the exact
// text kubectl prints, whether the copse validating webhook or the apiserver (CRD schema, CEL rules,
// scale subresource) rejects it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Obj,
  CEL_SKIPPED,
  CTB_VALIDATING,
  LOCAL_LEVELS,
  applyJson,
  clique,
  clusterTopology,
  deniedOnCreate,
  getJson,
  invalidObject,
  podCliqueSet,
  set,
  uniqueSuffix,
} from '../support/admission.js';
import { clients, kubectl, testNamespace } from '../support/kube.js';
import { DNS1123_SUBDOMAIN_PATTERN } from '../../api/rules/k8s-names.js';

const kubeconfig = inject('kubeconfig');
const { core } = clients(kubeconfig);
let ns: { name: string; cleanup: () => Promise<void> };

/** This file's ClusterTopologyBinding (cluster-scoped, so uniquely named and deleted in afterAll). */
const CTB = `adm-topo-${uniqueSuffix()}`;
const ctbCreated: string[] = [];

const T = 'spec.template';
const C0 = `${T}.cliques.0`;
const C1 = `${T}.cliques.1`;

// Upstream apimachinery message texts.
const ENV_MSG =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
const QNAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const NAME_MISMATCH = 'all topologyConstraint.topologyName values within a PodCliqueSet must match in the current implementation';
const NAME_REQUIRED = 'topologyName is required when topologyConstraint is set and cannot be inherited';
const NOT_ENABLED = 'schedulerName must be an enabled scheduler backend; this scheduler is not enabled in OperatorConfiguration';
const PACK_DOMAIN_CEL = 'packDomain is deprecated and cannot be used on new workloads; use pack.required';

/** The valid base: standalone cliques `leader` (1 replica) and `worker` (2), everything else defaulted. */
const base = (name: string): Obj => podCliqueSet(name, [clique('leader'), clique('worker', { replicas: 2 })]);

interface InvalidCase {
  rule: string;
  /** PodCliqueSet name (default `inv-<n>`); some messages carry it. */
  name?: string;
  mutate: (p: Obj) => void;
  /** Field errors the validating webhook reports, in order. */
  webhook?: string[];
  /** Errors the apiserver reports itself (schema, CEL, scale subresource), in order. */
  apiserver?: string[];
}

const cases: InvalidCase[] = [
  {
    rule: 'clique minAvailable > replicas',
    mutate: (p) => set(p, `${C1}.spec.minAvailable`, 3),
    webhook: ['spec.template.cliques[1].spec.minAvailable: Invalid value: 3: minAvailable must not be greater than replicas'],
  },
  {
    rule: 'clique minAvailable 0',
    mutate: (p) => set(p, `${C1}.spec.minAvailable`, 0),
    webhook: ['spec.template.cliques[1].spec.minAvailable: Invalid value: 0: must be greater than 0'],
  },
  {
    rule: 'clique replicas negative (minAvailable defaults to it)',
    mutate: (p) => set(p, `${C1}.spec.replicas`, -1),
    webhook: [
      'spec.template.cliques[1].spec.replicas: Invalid value: -1: must be greater than 0',
      'spec.template.cliques[1].spec.minAvailable: Invalid value: -1: must be greater than 0',
    ],
  },
  {
    rule: 'PodCliqueSet replicas negative (scale subresource)',
    mutate: (p) => set(p, 'spec.replicas', -1),
    apiserver: ['.spec.replicas: Invalid value: -1: should be a non-negative integer'],
  },
  {
    rule: 'no cliques',
    mutate: (p) => set(p, `${T}.cliques`, []),
    webhook: ['spec.template.cliques: Required value: at least one PodClique must be defined'],
  },
  {
    rule: 'duplicate clique names (list-map key)',
    mutate: (p) => set(p, `${C1}.name`, 'leader'),
    apiserver: ['spec.template.cliques[1]: Duplicate value: {"name":"leader"}'],
  },
  {
    rule: 'duplicate roleName',
    mutate: (p) => set(p, `${C1}.spec.roleName`, 'leader'),
    webhook: ['spec.template.cliques.roleName: Duplicate value: ["leader"]'],
  },
  {
    rule: 'empty clique name',
    mutate: (p) => set(p, `${C1}.name`, ''),
    webhook: ['spec.template.cliques[1].name: Required value: field cannot be empty'],
  },
  {
    rule: 'clique name not a DNS subdomain',
    mutate: (p) => set(p, `${C1}.name`, 'Worker_1'),
    webhook: ['spec.template.cliques[1].name: Invalid value: "Worker_1": invalid PodCliqueTemplateSpec name, must be a valid DNS subdomain'],
  },
  {
    rule: 'PodCliqueSet + clique name longer than 45 characters',
    name: 'inference-pipeline-production',
    mutate: (p) => set(p, `${C1}.name`, 'prefill-worker-extra'),
    webhook: [
      "spec.template.cliques[1].name: Invalid value: \"prefill-worker-extra\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-production' or PodClique 'prefill-worker-extra'",
      "metadata.name: Invalid value: \"inference-pipeline-production\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-production' or PodClique 'prefill-worker-extra'",
    ],
  },
  {
    rule: 'PodCliqueSet + scaling group + clique name longer than 45 characters',
    name: 'inference-pipeline-prod',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [{ name: 'decode-scaling-group', cliqueNames: ['worker'] }]),
    webhook: [
      "spec.template.podCliqueScalingGroups[0].cliqueNames[0].name: Invalid value: \"worker\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-prod', PodCliqueScalingGroup 'decode-scaling-group', or PodClique 'worker'",
      "spec.template.podCliqueScalingGroups[0].name: Invalid value: \"worker\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-prod', PodCliqueScalingGroup 'decode-scaling-group', or PodClique 'worker'",
      "metadata.name: Invalid value: \"inference-pipeline-prod\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-prod', PodCliqueScalingGroup 'decode-scaling-group', or PodClique 'worker'",
    ],
  },
  {
    rule: 'Explicit: startsAfter names an unknown clique',
    mutate: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
      set(p, `${C1}.spec.startsAfter`, ['ghost', 'leader']);
    },
    webhook: ['spec.template.cliques.startsAfter: Invalid value: "ghost": unknown clique names found, all clique dependencies must be defined as cliques'],
  },
  {
    rule: 'Explicit: startsAfter names the clique itself',
    mutate: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
      set(p, `${C1}.spec.startsAfter`, ['worker']);
    },
    webhook: ['spec.template.cliques[1].spec.startsAfter: Invalid value: "worker": clique dependency cannot refer to itself'],
  },
  {
    rule: 'Explicit: startsAfter cycle',
    mutate: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
      set(p, `${C0}.spec.startsAfter`, ['worker']);
      set(p, `${C1}.spec.startsAfter`, ['leader']);
    },
    webhook: ['spec.template.cliques: Invalid value: [["worker","leader"]]: clique must not have circular dependencies'],
  },
  {
    rule: 'Explicit: duplicate startsAfter entry',
    mutate: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
      set(p, `${C1}.spec.startsAfter`, ['leader', 'leader']);
    },
    webhook: ['spec.template.cliques[1].spec.startsAfter: Duplicate value: ["leader"]'],
  },
  {
    rule: 'autoScalingConfig maxReplicas below minReplicas and replicas',
    mutate: (p) => set(p, `${C1}.spec.autoScalingConfig`, { maxReplicas: 1 }),
    webhook: [
      'spec.template.cliques[1].spec.autoScalingConfig.maxReplicas: Invalid value: 1: must be greater than or equal to podCliqueSpec.minReplicas',
      'spec.template.cliques[1].spec.autoScalingConfig.maxReplicas: Invalid value: 1: must be greater than or equal to replicas',
    ],
  },
  {
    rule: 'autoScalingConfig minReplicas below minAvailable',
    mutate: (p) => set(p, `${C1}.spec.autoScalingConfig`, { minReplicas: 1, maxReplicas: 4 }),
    webhook: [
      'spec.template.cliques[1].spec.autoScalingConfig.minReplicas: Invalid value: 1: must be greater than or equal to podCliqueSpec.minAvailable',
    ],
  },
  {
    rule: 'scaling group names an unknown clique',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [{ name: 'grp', cliqueNames: ['worker', 'ghost'] }]),
    webhook: ['spec.template.podCliqueScalingGroups[0].cliqueNames: Invalid value: "ghost": unidentified PodClique names found'],
  },
  {
    rule: 'clique in two scaling groups',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        { name: 'a', cliqueNames: ['worker'] },
        { name: 'b', cliqueNames: ['leader', 'worker'] },
      ]),
    webhook: ['spec.template.podCliqueScalingGroups.cliqueNames: Duplicate value: ["worker"]'],
  },
  {
    rule: 'duplicate scaling group names',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        { name: 'grp', cliqueNames: ['worker'] },
        { name: 'grp', cliqueNames: ['leader'] },
      ]),
    webhook: ['spec.template.podCliqueScalingGroups.name: Duplicate value: ["grp"]'],
  },
  {
    rule: 'scaling group name not a DNS subdomain',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [{ name: 'Bad_Group', cliqueNames: ['worker'] }]),
    webhook: ['spec.template.podCliqueScalingGroups[0].name: Invalid value: "Bad_Group": invalid PodCliqueScalingGroupConfig name, must be a valid DNS subdomain'],
  },
  {
    rule: 'scaling group minAvailable > replicas',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [{ name: 'grp', cliqueNames: ['worker'], replicas: 2, minAvailable: 3 }]),
    webhook: ['spec.template.podCliqueScalingGroups[0].minAvailable: Invalid value: 3: minAvailable must not be greater than replicas'],
  },
  {
    rule: 'scaling group replicas and minAvailable 0',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [{ name: 'grp', cliqueNames: ['worker'], replicas: 0, minAvailable: 0 }]),
    webhook: [
      'spec.template.podCliqueScalingGroups[0].replicas: Invalid value: 0: must be greater than 0',
      'spec.template.podCliqueScalingGroups[0].minAvailable: Invalid value: 0: must be greater than 0',
    ],
  },
  {
    rule: 'scaling group scaleConfig maxReplicas below minReplicas and replicas (copse fix)',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        { name: 'grp', cliqueNames: ['worker'], replicas: 3, minAvailable: 1, scaleConfig: { minReplicas: 3, maxReplicas: 2 } },
      ]),
    webhook: [
      'spec.template.podCliqueScalingGroups[0].scaleConfig.maxReplicas: Invalid value: 2: must be greater than or equal to scaleConfig.minReplicas',
      'spec.template.podCliqueScalingGroups[0].scaleConfig.maxReplicas: Invalid value: 2: must be greater than or equal to replicas',
    ],
  },
  {
    rule: 'scaling group scaleConfig minReplicas below minAvailable',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        { name: 'grp', cliqueNames: ['worker'], replicas: 2, minAvailable: 2, scaleConfig: { minReplicas: 1, maxReplicas: 4 } },
      ]),
    webhook: [
      'spec.template.podCliqueScalingGroups[0].scaleConfig.minReplicas: Invalid value: 1: scaleConfig.minReplicas must be greater than or equal to minAvailable',
    ],
  },
  {
    rule: 'autoScalingConfig on a scaling group member',
    mutate: (p) => {
      set(p, `${C1}.spec.autoScalingConfig`, { minReplicas: 2, maxReplicas: 4 });
      set(p, `${T}.podCliqueScalingGroups`, [{ name: 'grp', cliqueNames: ['worker'] }]);
    },
    webhook: ['spec.template.podCliqueScalingGroups: Invalid value: "worker": AutoScalingConfig is not allowed to be defined for PodClique that is part of scaling group'],
  },
  {
    rule: 'terminationDelay 0',
    mutate: (p) => set(p, `${T}.terminationDelay`, '0s'),
    webhook: ['spec.template.terminationDelay: Invalid value: "0s": terminationDelay must be greater than 0'],
  },
  {
    rule: 'terminationDelay negative (rendered as a Go duration)',
    mutate: (p) => set(p, `${T}.terminationDelay`, '-90s'),
    webhook: ['spec.template.terminationDelay: Invalid value: "-1m30s": terminationDelay must be greater than 0'],
  },
  {
    rule: 'cliqueStartupType not one of the enum values',
    mutate: (p) => set(p, `${T}.cliqueStartupType`, 'Sometimes'),
    apiserver: [
      'spec.template.cliqueStartupType: Unsupported value: "Sometimes": supported values: "CliqueStartupTypeAnyOrder", "CliqueStartupTypeInOrder", "CliqueStartupTypeExplicit"',
      CEL_SKIPPED,
    ],
  },
  {
    rule: 'podSpec.nodeName set',
    mutate: (p) => set(p, `${C0}.spec.podSpec.nodeName`, 'kwok-z0-b0-r0-h0'),
    webhook: ['spec.template.cliques[0].spec.podSpec.spec.nodeName: Invalid value: "kwok-z0-b0-r0-h0": must not be set'],
  },
  {
    rule: 'podSpec.topologySpreadConstraints set',
    mutate: (p) =>
      set(p, `${C0}.spec.podSpec.topologySpreadConstraints`, [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
      ]),
    webhook: [
      'spec.template.cliques[0].spec.podSpec.spec.topologySpreadConstraints: Invalid value: [{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"DoNotSchedule"}]: must not be set',
    ],
  },
  {
    rule: 'env var name invalid',
    mutate: (p) => set(p, `${C0}.spec.podSpec.containers.0.env`, [{ name: '1BAD', value: 'x' }]),
    webhook: [`spec.template.cliques[0].spec.podSpec.spec.containers[0].env[0].name: Invalid value: "1BAD": ${ENV_MSG}`],
  },
  {
    rule: 'init container env var name starting with ..',
    mutate: (p) => set(p, `${C0}.spec.podSpec.initContainers`, [{ name: 'init', image: 'registry.k8s.io/pause:3.10', env: [{ name: '..x' }] }]),
    webhook: ["spec.template.cliques[0].spec.podSpec.spec.initContainers[0].env[0].name: Invalid value: \"..x\": must not start with '..'"],
  },
  {
    rule: 'env var name duplicate (list-map key)',
    mutate: (p) =>
      set(p, `${C0}.spec.podSpec.containers.0.env`, [
        { name: 'OK', value: 'a' },
        { name: 'OK', value: 'b' },
      ]),
    apiserver: ['spec.template.cliques[0].spec.podSpec.containers[0].env[1]: Duplicate value: {"name":"OK"}'],
  },
  {
    rule: 'schedulerName differs between cliques',
    mutate: (p) => set(p, `${C1}.spec.podSpec.schedulerName`, 'volcano'),
    webhook: ['spec.template.cliques.spec.podSpec.schedulerName: Invalid value: "default-scheduler, volcano": the schedulerName for all pods have to be the same'],
  },
  {
    rule: 'schedulerName not an enabled backend',
    mutate: (p) => {
      set(p, `${C0}.spec.podSpec.schedulerName`, 'kai-scheduler');
      set(p, `${C1}.spec.podSpec.schedulerName`, 'kai-scheduler');
    },
    webhook: [`spec.template.cliques.spec.podSpec.schedulerName: Invalid value: "kai-scheduler": ${NOT_ENABLED}`],
  },
  {
    rule: 'invalid label key on a clique',
    mutate: (p) => set(p, `${C0}.labels`, { 'bad key': 'v', 'example.com/ok': 'v' }),
    webhook: [`spec.template.cliques[0].labels: Invalid value: "bad key": ${QNAME_PART_MSG}`],
  },
  {
    rule: 'invalid annotation key on a clique',
    mutate: (p) => set(p, `${C1}.annotations`, { '/x': 'v' }),
    webhook: ['spec.template.cliques[1].annotations: Invalid value: "/x": prefix part must be non-empty'],
  },
  {
    rule: 'mnnvl-group annotation while MNNVL is disabled',
    mutate: (p) => set(p, 'metadata.annotations', { 'grove.io/mnnvl-group': 'default' }),
    webhook: [
      'metadata.annotations.grove.io/mnnvl-group: Invalid value: "default": MNNVL is not enabled in the operator configuration. Either enable MNNVL globally or remove the grove.io/mnnvl-group annotation',
    ],
  },
  {
    rule: 'topologyConstraint without topologyName',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { pack: { required: 'rack' } }),
    webhook: [`spec.template.topologyConstraint.topologyName: Required value: ${NAME_REQUIRED}`],
  },
  {
    rule: 'scaling group topologyConstraint without a name to inherit',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [{ name: 'grp', cliqueNames: ['worker'], topologyConstraint: { pack: { required: 'rack' } } }]),
    webhook: [`spec.template.podCliqueScalingGroups[0].topologyConstraint.topologyName: Required value: ${NAME_REQUIRED}`],
  },
  {
    rule: 'topologyName references a missing ClusterTopologyBinding',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: `${CTB}-missing`, pack: { required: 'rack' } }),
    webhook: [`spec.template.topologyConstraint.topologyName: Invalid value: "${CTB}-missing": ClusterTopologyBinding "${CTB}-missing" not found`],
  },
  {
    rule: 'pack domain not a level of the ClusterTopologyBinding',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'datacenter', preferred: 'nvlink' } }),
    webhook: [
      "spec.template.topologyConstraint.pack.required: Invalid value: \"datacenter\": topology domain 'datacenter' does not exist in cluster topology [zone block rack host]",
      "spec.template.topologyConstraint.pack.preferred: Invalid value: \"nvlink\": topology domain 'nvlink' does not exist in cluster topology [zone block rack host]",
    ],
  },
  {
    rule: 'parent constraint narrower than a child',
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'rack' } });
      set(p, `${C1}.topologyConstraint`, { pack: { required: 'block' } });
    },
    webhook: [
      "spec.template.topologyConstraint: Invalid value: \"rack\": PodCliqueSet topology constraint domain 'rack' is narrower than PodClique 'worker' topology constraint domain 'block'",
    ],
  },
  {
    rule: 'scaling group constraint narrower than its member',
    mutate: (p) => {
      set(p, `${T}.podCliqueScalingGroups`, [{ name: 'grp', cliqueNames: ['worker'], topologyConstraint: { topologyName: CTB, pack: { required: 'host' } } }]);
      set(p, `${C1}.topologyConstraint`, { pack: { required: 'rack' } });
    },
    webhook: [
      "spec.template.podCliqueScalingGroups[0].topologyConstraint: Invalid value: \"host\": PodCliqueScalingGroup 'grp' topology constraint domain 'host' is narrower than PodClique 'worker' topology constraint domain 'rack'",
    ],
  },
  {
    rule: 'two different topologyNames',
    mutate: (p) => {
      set(p, `${C0}.topologyConstraint`, { topologyName: CTB, pack: { required: 'host' } });
      set(p, `${C1}.topologyConstraint`, { topologyName: `${CTB}-other`, pack: { required: 'host' } });
    },
    webhook: [
      `spec.template.cliques[0].topologyConstraint.topologyName: Invalid value: "${CTB}": ${NAME_MISMATCH}`,
      `spec.template.cliques[1].topologyConstraint.topologyName: Invalid value: "${CTB}-other": ${NAME_MISMATCH}`,
    ],
  },
  {
    rule: 'child topologyName differs from the inherited one',
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'block' } });
      set(p, `${C1}.topologyConstraint`, { topologyName: `${CTB}-other`, pack: { required: 'host' } });
    },
    webhook: [`spec.template.cliques[1].topologyConstraint.topologyName: Invalid value: "${CTB}-other": ${NAME_MISMATCH}`],
  },
  {
    rule: 'copse: topologyName not a DNS subdomain (`..` would be a path segment of the lookup)',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: '..', pack: { required: 'rack' } }),
    apiserver: [
      `spec.template.topologyConstraint.topologyName: Invalid value: "..": spec.template.topologyConstraint.topologyName in body should match '${DNS1123_SUBDOMAIN_PATTERN}'`,
    ],
  },
  {
    rule: 'packDomain on create (CEL, PodCliqueSet level)',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: CTB, packDomain: 'rack' }),
    apiserver: [`spec.template.topologyConstraint.packDomain: Forbidden: ${PACK_DOMAIN_CEL}`],
  },
  {
    rule: 'packDomain on create (CEL, clique and scaling group level)',
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'block' } });
      set(p, `${C0}.topologyConstraint`, { packDomain: 'host' });
      set(p, `${T}.podCliqueScalingGroups`, [{ name: 'grp', cliqueNames: ['worker'], topologyConstraint: { packDomain: 'rack' } }]);
    },
    apiserver: [`spec.template.cliques: Forbidden: ${PACK_DOMAIN_CEL}`, `spec.template.podCliqueScalingGroups: Forbidden: ${PACK_DOMAIN_CEL}`],
  },
  {
    rule: 'pack with neither required nor preferred (CEL)',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: {} }),
    apiserver: ['spec.template.topologyConstraint.pack: Required value: pack must specify at least one of required or preferred'],
  },
  {
    rule: 'topologyConstraint with neither pack nor packDomain (CEL)',
    mutate: (p) => set(p, `${C1}.topologyConstraint`, { topologyName: CTB }),
    apiserver: ['spec.template.cliques[1].topologyConstraint.pack: Required value: topologyConstraint must specify pack or deprecated packDomain'],
  },
  {
    rule: 'pack domain violating the schema pattern',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'Rack' } }),
    apiserver: [
      "spec.template.topologyConstraint.pack.required: Invalid value: \"Rack\": spec.template.topologyConstraint.pack.required in body should match '^[a-z][a-z0-9-]*$'",
    ],
  },
  {
    rule: 'several errors at once are all reported, in document order',
    mutate: (p) => {
      set(p, `${C0}.spec.minAvailable`, 0);
      set(p, `${C1}.name`, 'Bad');
      set(p, `${C1}.spec.podSpec.nodeName`, 'kwok-z0-b0-r0-h1');
      set(p, `${T}.podCliqueScalingGroups`, [{ name: 'grp', cliqueNames: ['ghost'] }]);
      set(p, `${T}.terminationDelay`, '0s');
    },
    webhook: [
      'spec.template.cliques[0].spec.minAvailable: Invalid value: 0: must be greater than 0',
      'spec.template.cliques[1].name: Invalid value: "Bad": invalid PodCliqueTemplateSpec name, must be a valid DNS subdomain',
      'spec.template.cliques[1].spec.podSpec.spec.nodeName: Invalid value: "kwok-z0-b0-r0-h1": must not be set',
      'spec.template.podCliqueScalingGroups[0].cliqueNames: Invalid value: "ghost": unidentified PodClique names found',
      'spec.template.terminationDelay: Invalid value: "0s": terminationDelay must be greater than 0',
    ],
  },
  {
    rule: 'wrongly typed spec.replicas ("three")',
    mutate: (p) => set(p, 'spec.replicas', 'three'),
    apiserver: [
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      '.spec.replicas: Invalid value: 0: .spec.replicas accessor error: three is of the type string, expected int64',
      CEL_SKIPPED,
    ],
  },
  {
    rule: 'wrongly typed cliques (an object)',
    mutate: (p) => set(p, `${T}.cliques`, {}),
    apiserver: ['spec.template.cliques: Invalid value: "object": spec.template.cliques in body must be of type array: "object"', CEL_SKIPPED],
  },
  {
    rule: 'wrongly typed clique replicas ("two")',
    mutate: (p) => set(p, `${C1}.spec.replicas`, 'two'),
    apiserver: [
      'spec.template.cliques[1].spec.replicas: Invalid value: "string": spec.template.cliques[1].spec.replicas in body must be of type integer: "string"',
      CEL_SKIPPED,
    ],
  },
  {
    rule: 'wrongly typed startsAfter (a string)',
    mutate: (p) => set(p, `${C1}.spec.startsAfter`, 'leader'),
    apiserver: [
      'spec.template.cliques[1].spec.startsAfter: Invalid value: "string": spec.template.cliques[1].spec.startsAfter in body must be of type array: "string"',
      CEL_SKIPPED,
    ],
  },
];

beforeAll(async () => {
  ns = await testNamespace(core, 'adm-invalid');
  const r = await applyJson(kubeconfig, clusterTopology(CTB, LOCAL_LEVELS));
  ctbCreated.push(CTB);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe(`clustertopologybinding.grove.io/${CTB} created`);
}, 120_000);

afterAll(async () => {
  for (const name of ctbCreated) await kubectl(kubeconfig, ['delete', 'clustertopologybinding', name, '--ignore-not-found', '--wait=false']);
  await ns?.cleanup();
});

describe('invalid PodCliqueSets are rejected with the exact message', () => {
  it('names each case by a distinct rule (the report lists them by name)', () => {
    expect(cases.map((c) => c.rule).filter((r, i, all) => all.indexOf(r) !== i)).toEqual([]);
  });

  it('minAvailable > replicas: the complete kubectl output', async () => {
    const pcs = base('complete-line');
    set(pcs, `${C1}.spec.minAvailable`, 5);
    const r = await applyJson(kubeconfig, pcs, ['-n', ns.name]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'Error from server (Forbidden): error when creating "STDIN": admission webhook "pcs.validating.webhooks.grove.io" denied the request: spec.template.cliques[1].spec.minAvailable: Invalid value: 5: minAvailable must not be greater than replicas\n',
    );
  });

  it.concurrent.for(cases.map((c, i) => ({ ...c, index: i })))('$rule', async (c, { expect }) => {
    const name = c.name ?? `inv-${c.index}`;
    const pcs = base(name);
    c.mutate(pcs);
    const r = await applyJson(kubeconfig, pcs, ['-n', ns.name]);
    expect(r.code, r.stdout).not.toBe(0);
    if (c.webhook) expect(r.stderr.trim()).toBe(deniedOnCreate(c.webhook));
    if (c.apiserver) expect(r.stderr.trim()).toBe(invalidObject('PodCliqueSet', name, c.apiserver).trim());
  });

  it('stored none of them', async () => {
    const r = await kubectl(kubeconfig, ['get', 'podcliquesets', '-n', ns.name, '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
  });

  it('startsAfter is not validated unless cliqueStartupType is Explicit', async () => {
    const pcs = base('inorder-startsafter');
    set(pcs, `${T}.cliqueStartupType`, 'CliqueStartupTypeInOrder');
    set(pcs, `${C1}.spec.startsAfter`, ['ghost', 'worker', 'ghost']);
    const r = await applyJson(kubeconfig, pcs, ['-n', ns.name]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('podcliqueset.grove.io/inorder-startsafter created');
  });
});

describe('ClusterTopologyBinding admission', () => {
  const level = (domain: string, key: string) => ({ domain, key });
  const ctbWith = (suffix: string, levels: unknown[], extra: Obj = {}): Obj => ({
    apiVersion: 'grove.io/v1alpha1',
    kind: 'ClusterTopologyBinding',
    metadata: { name: `${CTB}-${suffix}` },
    spec: { levels, ...extra },
  });
  async function createCtb(obj: Obj): Promise<{ code: number; stderr: string; stdout: string }> {
    const r = await applyJson(kubeconfig, obj);
    // Remember anything that got stored so afterAll removes it even when an assertion fails.
    if (r.code === 0) ctbCreated.push((obj.metadata as { name: string }).name);
    return r;
  }

  it('creates the zone/block/rack/host binding with the local cluster label keys', async () => {
    const ctb = (await getJson(kubeconfig, 'clustertopologybinding', CTB)) as { spec: { levels: unknown[] } };
    expect(ctb.spec.levels).toEqual(LOCAL_LEVELS.map(([d, k]) => level(d, k)));
    const r = await kubectl(kubeconfig, ['get', 'ct', CTB, '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,DOMAINS:.spec.levels[*].domain']);
    expect(r.stdout.trim().split(/\s+/)).toEqual([CTB, 'zone,block,rack,host']);
    const printed = await kubectl(kubeconfig, ['get', 'clustertopologybinding', CTB]);
    expect(printed.stdout.split('\n')[0]?.trim().split(/\s+/)).toEqual(['NAME', 'DOMAINS', 'AGE']);
    // The Domains printer column (as in Grove) shows only the first level: the apiserver's CRD table
    // convertor prints the first JSONPath result of `.spec.levels[*].domain`.
    expect(printed.stdout.split('\n')[1]?.trim().split(/\s+/).slice(0, 2)).toEqual([CTB, 'zone']);
  });

  it('denies a duplicate domain', async () => {
    const r = await createCtb(ctbWith('dup-domain', [level('zone', 'topology.kubernetes.io/zone'), level('zone', 'topology.copse.io/block')]));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(deniedOnCreate(['spec.levels[1].domain: Duplicate value: "zone"'], CTB_VALIDATING));
  });

  it('denies a duplicate key', async () => {
    const r = await createCtb(
      ctbWith('dup-key', [level('zone', 'topology.kubernetes.io/zone'), level('rack', 'topology.copse.io/rack'), level('host', 'topology.copse.io/rack')]),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(deniedOnCreate(['spec.levels[2].key: Duplicate value: "topology.copse.io/rack"'], CTB_VALIDATING));
  });

  it('reports a duplicate domain and a duplicate key together', async () => {
    const r = await createCtb(ctbWith('dup-both', [level('rack', 'topology.copse.io/rack'), level('rack', 'topology.copse.io/rack')]));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      deniedOnCreate(['spec.levels[1].domain: Duplicate value: "rack"', 'spec.levels[1].key: Duplicate value: "topology.copse.io/rack"'], CTB_VALIDATING),
    );
  });

  it('denies a scheduler binding to a backend that is not enabled', async () => {
    const r = await createCtb(
      ctbWith('kai', [level('rack', 'topology.copse.io/rack')], { schedulerTopologyBindings: [{ schedulerName: 'kai-scheduler', topologyReference: 'kai-topo' }] }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      deniedOnCreate(['spec.schedulerTopologyBindings[0].schedulerName: Invalid value: "kai-scheduler": scheduler backend is not enabled in Grove'], CTB_VALIDATING),
    );
  });

  it.each([
    {
      what: 'an upper-case domain',
      levels: [level('Rack', 'topology.copse.io/rack')],
      errors: ["spec.levels[0].domain: Invalid value: \"Rack\": spec.levels[0].domain in body should match '^[a-z][a-z0-9-]*$'"],
    },
    {
      what: 'a key that is not a label key',
      levels: [level('rack', 'topology.copse.io/rack'), level('host', 'bad key!')],
      errors: [
        "spec.levels[1].key: Invalid value: \"bad key!\": spec.levels[1].key in body should match '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$'",
      ],
    },
    {
      what: 'no levels',
      levels: [],
      errors: ['spec.levels: Invalid value: 0: spec.levels in body should have at least 1 items'],
    },
    {
      what: 'a level without a key',
      levels: [{ domain: 'rack' }],
      errors: ['spec.levels[0].key: Required value'],
    },
  ])('the apiserver rejects $what (schema)', async ({ what, levels, errors }) => {
    const obj = ctbWith(`schema-${what.replace(/[^a-z]+/g, '-').replace(/-+$/, '')}`, levels);
    const r = await createCtb(obj);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(invalidObject('ClusterTopologyBinding', (obj.metadata as { name: string }).name, errors).trim());
  });

  it('admits a PodCliqueSet packed by rack and denies one packed by an unknown datacenter domain', async () => {
    const ok = base('pack-rack');
    set(ok, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'rack' } });
    const admitted = await applyJson(kubeconfig, ok, ['-n', ns.name]);
    expect(admitted.stderr).toBe('');
    expect(admitted.stdout.trim()).toBe('podcliqueset.grove.io/pack-rack created');
    const stored = await getJson(kubeconfig, 'pcs', 'pack-rack', ns.name);
    expect((stored.spec as Obj).template).toMatchObject({ topologyConstraint: { topologyName: CTB, pack: { required: 'rack' } } });

    const bad = base('pack-datacenter');
    set(bad, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'datacenter' } });
    const denied = await applyJson(kubeconfig, bad, ['-n', ns.name]);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe(
      deniedOnCreate([
        "spec.template.topologyConstraint.pack.required: Invalid value: \"datacenter\": topology domain 'datacenter' does not exist in cluster topology [zone block rack host]",
      ]),
    );
  });

  it('a child constraint may omit topologyName and inherit it', async () => {
    const pcs = base('inherit');
    set(pcs, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'block' } });
    set(pcs, `${C1}.topologyConstraint`, { pack: { required: 'host', preferred: 'host' } });
    const r = await applyJson(kubeconfig, pcs, ['-n', ns.name]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('podcliqueset.grove.io/inherit created');
  });
});
