import { describe, expect, it } from 'vitest';

import { formatFieldError, formatFieldErrors } from '../../field-errors.js';
import { defaultPodCliqueSet } from './defaults.js';
import { topologyNameToLookUp } from './topology.js';
import {
  type PodCliqueSetValidationContext,
  validatePodCliqueSetCreate,
  validatePodCliqueSetUpdate,
} from './validate.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

type Obj = Record<string, unknown>;
type PCS = Parameters<typeof validatePodCliqueSetCreate>[0];
type CTB = NonNullable<ReturnType<NonNullable<PodCliqueSetValidationContext['topology']>>>;

function clique(name: string, spec: Obj = {}, extra: Obj = {}): Obj {
  return {
    name,
    ...extra,
    spec: {
      roleName: name,
      replicas: 1,
      minAvailable: 1,
      podSpec: {
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        containers: [{ name: 'main', image: 'busybox' }],
      },
      ...spec,
    },
  };
}

function group(name: string, cliqueNames: string[], extra: Obj = {}): Obj {
  return { name, cliqueNames, replicas: 1, minAvailable: 1, ...extra };
}

/** A valid, already-defaulted PodCliqueSet: standalone cliques `leader` (1) and `worker` (2). */
function basePCS(): Obj {
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name: 'demo', namespace: 'default' },
    spec: {
      replicas: 1,
      template: {
        cliqueStartupType: 'CliqueStartupTypeAnyOrder',
        terminationDelay: '4h0m0s',
        headlessServiceConfig: { publishNotReadyAddresses: true },
        cliques: [clique('leader'), clique('worker', { replicas: 2, minAvailable: 2 })],
      },
    },
  };
}

function levels(...domains: string[]): Obj[] {
  const keys: Record<string, string> = {
    zone: 'topology.kubernetes.io/zone',
    block: 'example.com/block',
    rack: 'example.com/rack',
    host: 'kubernetes.io/hostname',
  };
  return domains.map((d) => ({ domain: d, key: keys[d] ?? `example.com/${d}` }));
}

function ctb(name: string, ...domains: string[]): CTB {
  const o = { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name }, spec: { levels: levels(...domains) } };
  return o as unknown as CTB;
}

const GROVE_TOPOLOGY = ctb('grove-topology', 'zone', 'block', 'rack', 'host');

function ctx(over: Partial<PodCliqueSetValidationContext> = {}): PodCliqueSetValidationContext {
  return {
    topologyAwareScheduling: true,
    schedulerProfiles: ['default-scheduler'],
    defaultSchedulerName: 'default-scheduler',
    autoMNNVLEnabled: false,
    topology: (n) => (n === 'grove-topology' ? GROVE_TOPOLOGY : undefined),
    ...over,
  };
}

/** Set a value at a dotted path (`spec.template.cliques.1.spec.replicas`), creating objects as needed. */
function set(root: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = root as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === undefined || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1] as string] = value;
}

function del(root: unknown, path: string): void {
  const keys = path.split('.');
  let cur = root as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  delete cur[keys[keys.length - 1] as string];
}

function get(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const k of path.split('.')) cur = (cur as Record<string, unknown>)[k];
  return cur;
}

const T = 'spec.template';
const create = (p: Obj, c: PodCliqueSetValidationContext = ctx()) => validatePodCliqueSetCreate(p as unknown as PCS, c);
const update = (p: Obj, old: Obj, c: PodCliqueSetValidationContext = ctx()) =>
  validatePodCliqueSetUpdate(p as unknown as PCS, old as unknown as PCS, c);
const texts = (r: { errors: Parameters<typeof formatFieldError>[0][] }): string[] => r.errors.map(formatFieldError);

// Upstream apimachinery message texts.
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QNAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QNAME_MULTI_SLASH_MSG =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const ENV_MSG =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
const MNNVL_DISABLED =
  'MNNVL is not enabled in the operator configuration. Either enable MNNVL globally or remove the grove.io/mnnvl-group annotation';
const TAS_DISABLED = 'topology constraints are not allowed when Topology Aware Scheduling is disabled';
const NAME_MISMATCH = 'all topologyConstraint.topologyName values within a PodCliqueSet must match in the current implementation';

function rct(name: string, requests: unknown[] = [{ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com' } }]): Obj {
  return { name, templateSpec: { spec: { devices: { requests } } } };
}

// ---------------------------------------------------------------------------------------------
// Create: invalid objects

interface InvalidCase {
  name: string;
  mutate: (p: Obj) => void;
  ctx?: Partial<PodCliqueSetValidationContext>;
  errors: string[];
  warnings?: string[];
}

const createCases: InvalidCase[] = [
  // V1
  {
    name: 'V1 metadata.name must be a DNS subdomain',
    mutate: (p) => set(p, 'metadata.name', 'Demo_X'),
    errors: [`metadata.name: Invalid value: "Demo_X": ${SUBDOMAIN_MSG}`],
  },
  {
    name: 'V1 metadata.name is required',
    mutate: (p) => del(p, 'metadata.name'),
    errors: ['metadata.name: Required value: name or generateName is required'],
  },
  {
    name: 'V1 metadata.namespace must be a DNS label',
    mutate: (p) => set(p, 'metadata.namespace', 'My_NS'),
    errors: [`metadata.namespace: Invalid value: "My_NS": ${LABEL_MSG}`],
  },
  {
    name: 'V1/V12 PodCliqueSet label values and annotation keys are checked',
    mutate: (p) => {
      set(p, 'metadata.labels', { app: 'bad value!' });
      set(p, 'metadata.annotations', { 'a/b/c': 'x' });
    },
    errors: [
      `metadata.labels: Invalid value: "bad value!": ${LABEL_VALUE_MSG}`,
      `metadata.annotations: Invalid value: "a/b/c": ${QNAME_MULTI_SLASH_MSG}`,
    ],
  },
  // V2
  {
    name: 'V2 spec.replicas must not be negative',
    mutate: (p) => set(p, 'spec.replicas', -1),
    errors: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  },
  // V3
  {
    name: 'V3 cliqueStartupType is required',
    mutate: (p) => del(p, `${T}.cliqueStartupType`),
    errors: ['spec.template.cliqueStartupType: Required value: field is required'],
  },
  {
    name: 'V3 cliqueStartupType must be a known value',
    mutate: (p) => set(p, `${T}.cliqueStartupType`, 'Sometimes'),
    errors: [
      'spec.template.cliqueStartupType: Invalid value: "Sometimes": can only be one of map[CliqueStartupTypeAnyOrder:{} CliqueStartupTypeExplicit:{} CliqueStartupTypeInOrder:{}]',
    ],
  },
  // V4
  {
    name: 'V4 resourceClaimTemplates need a name, a device request and unique names',
    mutate: (p) => set(p, `${T}.resourceClaimTemplates`, [rct('', []), rct('gpu'), rct('gpu')]),
    errors: [
      'spec.template.resourceClaimTemplates[0].name: Required value: template name is required',
      'spec.template.resourceClaimTemplates[0].templateSpec.spec.devices.requests: Required value: at least one device request is required',
      'spec.template.resourceClaimTemplates.name: Duplicate value: ["gpu"]',
    ],
  },
  // V5
  {
    name: 'V5 PodCliqueSet resourceSharing entries: name, uniqueness, namespace, scope',
    mutate: (p) => {
      set(p, `${T}.resourceClaimTemplates`, [rct('gpu')]);
      set(p, `${T}.resourceSharing`, [
        { name: '', scope: 'AllReplicas' },
        { name: 'gpu', namespace: 'other', scope: 'PerReplica' },
        { name: 'gpu', scope: 'Sometimes' },
      ]);
    },
    errors: [
      'spec.template.resourceSharing[0].name: Required value: reference name is required',
      'spec.template.resourceSharing[1].namespace: Invalid value: "other": namespace must be empty when name matches an internal resourceClaimTemplate',
      'spec.template.resourceSharing[2].name: Duplicate value: "gpu"',
      'spec.template.resourceSharing[2].scope: Unsupported value: "Sometimes": supported values: "AllReplicas", "PerReplica"',
    ],
  },
  {
    name: 'V5 clique-level resourceSharing needs a scope',
    mutate: (p) => set(p, `${T}.cliques.0.resourceSharing`, [{ name: 'external-claim' }]),
    errors: [
      'spec.template.cliques[0].resourceSharing[0].scope: Unsupported value: "": supported values: "AllReplicas", "PerReplica"',
    ],
  },
  // V6
  {
    name: 'V6 an empty PodCliqueSet resourceSharing filter is rejected',
    mutate: (p) => set(p, `${T}.resourceSharing`, [{ name: 'ext', scope: 'AllReplicas', filter: {} }]),
    errors: [
      'spec.template.resourceSharing[0].filter: Required value: filter must specify at least one childCliqueNames or childScalingGroupNames entry',
    ],
  },
  {
    name: 'V6 filter names must exist',
    mutate: (p) =>
      set(p, `${T}.resourceSharing`, [
        { name: 'ext', scope: 'AllReplicas', filter: { childCliqueNames: ['worker', 'ghost'], childScalingGroupNames: ['nogroup'] } },
      ]),
    errors: [
      'spec.template.resourceSharing[0].filter.childCliqueNames[1]: Not found: "ghost"',
      'spec.template.resourceSharing[0].filter.childScalingGroupNames[0]: Not found: "nogroup"',
    ],
  },
  // V7
  {
    name: 'V7 PodCliqueScalingGroup resourceSharing filters name member cliques',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        group('grp', ['worker'], {
          resourceSharing: [
            { name: 'a', scope: 'PerReplica', filter: { childCliqueNames: [] } },
            { name: 'b', scope: 'PerReplica', filter: { childCliqueNames: ['leader'] } },
          ],
        }),
      ]),
    errors: [
      'spec.template.podCliqueScalingGroups[0].resourceSharing[0].filter: Required value: filter must specify at least one childCliqueNames entry',
      'spec.template.podCliqueScalingGroups[0].resourceSharing[1].filter.childCliqueNames[0]: Not found: "leader"',
    ],
  },
  // V8
  {
    name: 'V8 at least one clique',
    mutate: (p) => set(p, `${T}.cliques`, []),
    errors: ['spec.template.cliques: Required value: at least one PodClique must be defined'],
  },
  // V9
  {
    name: 'V9 clique name must not be empty',
    mutate: (p) => set(p, `${T}.cliques.1.name`, ''),
    errors: ['spec.template.cliques[1].name: Required value: field cannot be empty'],
  },
  {
    name: 'V9 clique name must be a DNS subdomain',
    mutate: (p) => set(p, `${T}.cliques.1.name`, 'Worker_1'),
    errors: ['spec.template.cliques[1].name: Invalid value: "Worker_1": invalid PodCliqueTemplateSpec name, must be a valid DNS subdomain'],
  },
  // V10
  {
    name: 'V10 standalone clique pod names must fit in 45 characters',
    mutate: (p) => {
      set(p, 'metadata.name', 'inference-pipeline-production');
      set(p, `${T}.cliques.1.name`, 'prefill-worker-extra');
    },
    errors: [
      "spec.template.cliques[1].name: Invalid value: \"prefill-worker-extra\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-production' or PodClique 'prefill-worker-extra'",
      "metadata.name: Invalid value: \"inference-pipeline-production\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-production' or PodClique 'prefill-worker-extra'",
    ],
  },
  // V11
  {
    name: 'V11 scaling-group pod names must fit in 45 characters',
    mutate: (p) => {
      set(p, 'metadata.name', 'inference-pipeline-prod');
      set(p, `${T}.podCliqueScalingGroups`, [group('decode-scaling-group', ['worker'])]);
    },
    errors: [
      "spec.template.podCliqueScalingGroups[0].cliqueNames[0].name: Invalid value: \"worker\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-prod', PodCliqueScalingGroup 'decode-scaling-group', or PodClique 'worker'",
      "spec.template.podCliqueScalingGroups[0].name: Invalid value: \"worker\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-prod', PodCliqueScalingGroup 'decode-scaling-group', or PodClique 'worker'",
      "metadata.name: Invalid value: \"inference-pipeline-prod\": combined resource name length 49 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet 'inference-pipeline-prod', PodCliqueScalingGroup 'decode-scaling-group', or PodClique 'worker'",
    ],
  },
  // V12
  {
    name: 'V12 clique label keys are qualified names',
    mutate: (p) => set(p, `${T}.cliques.0.labels`, { 'bad key': 'v', 'example.com/ok': 'v' }),
    errors: [`spec.template.cliques[0].labels: Invalid value: "bad key": ${QNAME_PART_MSG}`],
  },
  {
    name: 'V12 clique annotation keys are qualified names',
    mutate: (p) => set(p, `${T}.cliques.0.annotations`, { '/x': 'v' }),
    errors: [
      'spec.template.cliques[0].annotations: Invalid value: "/x": prefix part must be non-empty',
    ],
  },
  // V13
  {
    name: 'V13 clique names and roleNames are unique',
    mutate: (p) => set(p, `${T}.cliques`, [clique('leader'), clique('leader'), clique('worker', { roleName: 'leader' })]),
    errors: [
      'spec.template.cliques.name: Duplicate value: ["leader"]',
      'spec.template.cliques.roleName: Duplicate value: ["leader"]',
    ],
  },
  // V14
  {
    name: 'V14 all cliques resolve to one scheduler',
    ctx: { schedulerProfiles: ['default-scheduler', 'kai-scheduler'] },
    mutate: (p) => set(p, `${T}.cliques.1.spec.podSpec.schedulerName`, 'kai-scheduler'),
    errors: [
      'spec.template.cliques.spec.podSpec.schedulerName: Invalid value: "default-scheduler, kai-scheduler": the schedulerName for all pods have to be the same',
    ],
  },
  // V15
  {
    name: 'V15 the scheduler must be an enabled profile',
    mutate: (p) => {
      set(p, `${T}.cliques.0.spec.podSpec.schedulerName`, 'volcano');
      set(p, `${T}.cliques.1.spec.podSpec.schedulerName`, 'volcano');
    },
    errors: [
      'spec.template.cliques.spec.podSpec.schedulerName: Invalid value: "volcano": schedulerName must be an enabled scheduler backend; this scheduler is not enabled in OperatorConfiguration',
    ],
  },
  {
    name: 'V15 an empty schedulerName resolves to the default profile',
    ctx: { defaultSchedulerName: 'kai-scheduler' },
    mutate: () => undefined,
    errors: [
      'spec.template.cliques.spec.podSpec.schedulerName: Invalid value: "kai-scheduler": schedulerName must be an enabled scheduler backend; this scheduler is not enabled in OperatorConfiguration',
    ],
  },
  // V16 / V17
  {
    name: 'V16 clique replicas must be positive (and V17 minAvailable ≤ replicas)',
    mutate: (p) => set(p, `${T}.cliques.0.spec.replicas`, 0),
    errors: [
      'spec.template.cliques[0].spec.replicas: Invalid value: 0: must be greater than 0',
      'spec.template.cliques[0].spec.minAvailable: Invalid value: 1: minAvailable must not be greater than replicas',
    ],
  },
  {
    name: 'V17 minAvailable is required',
    mutate: (p) => del(p, `${T}.cliques.1.spec.minAvailable`),
    errors: ['spec.template.cliques[1].spec.minAvailable: Required value: field is required'],
  },
  {
    name: 'V17 minAvailable must be positive',
    mutate: (p) => set(p, `${T}.cliques.1.spec.minAvailable`, 0),
    errors: ['spec.template.cliques[1].spec.minAvailable: Invalid value: 0: must be greater than 0'],
  },
  {
    name: 'V17 minAvailable must not exceed replicas',
    mutate: (p) => set(p, `${T}.cliques.1.spec.minAvailable`, 3),
    errors: ['spec.template.cliques[1].spec.minAvailable: Invalid value: 3: minAvailable must not be greater than replicas'],
  },
  // V18–V20
  {
    name: 'V18 explicit dependencies: not empty, not self, unique',
    mutate: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
      set(p, `${T}.cliques.1.spec.startsAfter`, ['', 'worker', 'leader', 'leader']);
    },
    errors: [
      'spec.template.cliques[1].spec.startsAfter: Required value: clique dependency must not be empty',
      'spec.template.cliques[1].spec.startsAfter: Invalid value: "worker": clique dependency cannot refer to itself',
      'spec.template.cliques[1].spec.startsAfter: Duplicate value: ["leader"]',
    ],
  },
  {
    name: 'V19 explicit dependencies must name cliques',
    mutate: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
      set(p, `${T}.cliques.0.spec.startsAfter`, ['ghost', 'phantom']);
      set(p, `${T}.cliques.1.spec.startsAfter`, ['ghost', 'leader']);
    },
    errors: [
      'spec.template.cliques.startsAfter: Invalid value: "ghost,phantom": unknown clique names found, all clique dependencies must be defined as cliques',
    ],
  },
  {
    name: 'V20 explicit dependencies must not form a cycle',
    mutate: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
      set(p, `${T}.cliques`, [
        clique('leader', { startsAfter: ['worker'] }),
        clique('worker', { startsAfter: ['leader'] }),
        clique('solo', { startsAfter: ['leader'] }),
      ]);
    },
    errors: ['spec.template.cliques: Invalid value: [["worker","leader"]]: clique must not have circular dependencies'],
  },
  {
    name: 'V18–V20 are only enforced for Explicit startup',
    mutate: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeInOrder');
      set(p, `${T}.cliques.0.spec.startsAfter`, ['leader', 'ghost', 'ghost']);
      set(p, `${T}.cliques.1.spec.minAvailable`, 0);
    },
    errors: ['spec.template.cliques[1].spec.minAvailable: Invalid value: 0: must be greater than 0'],
  },
  // V21
  {
    name: 'V21 autoScalingConfig needs minReplicas and maxReplicas ≥ replicas',
    mutate: (p) => set(p, `${T}.cliques.1.spec.autoScalingConfig`, { maxReplicas: 1 }),
    errors: [
      'spec.template.cliques[1].spec.autoScalingConfig.minReplicas: Required value: field is required',
      'spec.template.cliques[1].spec.autoScalingConfig.maxReplicas: Invalid value: 1: must be greater than or equal to replicas',
    ],
  },
  {
    name: 'V21 autoScalingConfig bounds',
    mutate: (p) => set(p, `${T}.cliques.1.spec.autoScalingConfig`, { minReplicas: 1, maxReplicas: 0 }),
    errors: [
      'spec.template.cliques[1].spec.autoScalingConfig.minReplicas: Invalid value: 1: must be greater than or equal to podCliqueSpec.minAvailable',
      'spec.template.cliques[1].spec.autoScalingConfig.maxReplicas: Invalid value: 0: must be greater than or equal to podCliqueSpec.minReplicas',
      'spec.template.cliques[1].spec.autoScalingConfig.maxReplicas: Invalid value: 0: must be greater than or equal to replicas',
    ],
  },
  // V22
  {
    name: 'V22 topologySpreadConstraints and nodeName must not be set on create',
    mutate: (p) => {
      set(p, `${T}.cliques.0.spec.podSpec.topologySpreadConstraints`, [
        { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
      ]);
      set(p, `${T}.cliques.0.spec.podSpec.nodeName`, 'node-1');
    },
    errors: [
      'spec.template.cliques[0].spec.podSpec.spec.topologySpreadConstraints: Invalid value: [{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]: must not be set',
      'spec.template.cliques[0].spec.podSpec.spec.nodeName: Invalid value: "node-1": must not be set',
    ],
  },
  // V23
  {
    name: 'V23 env var names are valid and unique per container',
    mutate: (p) => {
      set(p, `${T}.cliques.0.spec.podSpec.containers.0.env`, [
        { name: '1BAD', value: 'x' },
        { name: 'OK', value: 'a' },
        { name: 'OK', value: 'b' },
      ]);
      set(p, `${T}.cliques.0.spec.podSpec.initContainers`, [{ name: 'init', image: 'busybox', env: [{ name: '..x' }] }]);
    },
    errors: [
      `spec.template.cliques[0].spec.podSpec.spec.containers[0].env[0].name: Invalid value: "1BAD": ${ENV_MSG}`,
      'spec.template.cliques[0].spec.podSpec.spec.containers[0].env: Duplicate value: ["OK"]',
      "spec.template.cliques[0].spec.podSpec.spec.initContainers[0].env[0].name: Invalid value: \"..x\": must not start with '..'",
    ],
  },
  // V24–V29
  {
    name: 'V24 scaling group names are DNS subdomains and unique',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [group('Bad_Group', ['worker']), group('grp', ['leader']), group('grp', [])]),
    errors: [
      'spec.template.podCliqueScalingGroups[0].name: Invalid value: "Bad_Group": invalid PodCliqueScalingGroupConfig name, must be a valid DNS subdomain',
      'spec.template.podCliqueScalingGroups.name: Duplicate value: ["grp"]',
    ],
  },
  {
    name: 'V25 scaling group members must be cliques',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker', 'ghost', 'ghost', 'phantom'])]),
    errors: [
      'spec.template.podCliqueScalingGroups[0].cliqueNames: Invalid value: "ghost,phantom": unidentified PodClique names found',
      // Listing a member twice is also a V26 duplicate, as in Grove.
      'spec.template.podCliqueScalingGroups.cliqueNames: Duplicate value: ["ghost"]',
    ],
  },
  {
    name: 'V26 a clique belongs to at most one scaling group',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [group('a', ['worker']), group('b', ['leader', 'worker'])]),
    errors: ['spec.template.podCliqueScalingGroups.cliqueNames: Duplicate value: ["worker"]'],
  },
  {
    name: 'V27 scaling group replicas and minAvailable',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        group('a', ['worker'], { replicas: 0, minAvailable: 0 }),
        group('b', ['leader'], { replicas: 2, minAvailable: 3 }),
      ]),
    errors: [
      'spec.template.podCliqueScalingGroups[0].replicas: Invalid value: 0: must be greater than 0',
      'spec.template.podCliqueScalingGroups[0].minAvailable: Invalid value: 0: must be greater than 0',
      'spec.template.podCliqueScalingGroups[1].minAvailable: Invalid value: 3: minAvailable must not be greater than replicas',
    ],
  },
  {
    name: 'V28 scaleConfig.minReplicas ≥ minAvailable',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        group('grp', ['worker'], { replicas: 2, minAvailable: 2, scaleConfig: { minReplicas: 1, maxReplicas: 4 } }),
      ]),
    errors: [
      'spec.template.podCliqueScalingGroups[0].scaleConfig.minReplicas: Invalid value: 1: scaleConfig.minReplicas must be greater than or equal to minAvailable',
    ],
  },
  {
    name: 'fix §10.15: scaleConfig.maxReplicas ≥ minReplicas and ≥ replicas',
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        group('grp', ['worker'], { replicas: 3, minAvailable: 1, scaleConfig: { minReplicas: 3, maxReplicas: 2 } }),
      ]),
    errors: [
      'spec.template.podCliqueScalingGroups[0].scaleConfig.maxReplicas: Invalid value: 2: must be greater than or equal to scaleConfig.minReplicas',
      'spec.template.podCliqueScalingGroups[0].scaleConfig.maxReplicas: Invalid value: 2: must be greater than or equal to replicas',
    ],
  },
  {
    name: 'V29 members of a scaling group have no autoScalingConfig of their own',
    mutate: (p) => {
      set(p, `${T}.cliques.1.spec.autoScalingConfig`, { minReplicas: 2, maxReplicas: 4 });
      set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'])]);
    },
    errors: [
      'spec.template.podCliqueScalingGroups: Invalid value: "worker": AutoScalingConfig is not allowed to be defined for PodClique that is part of scaling group',
    ],
  },
  // V30
  {
    name: 'V30 terminationDelay is required',
    mutate: (p) => del(p, `${T}.terminationDelay`),
    errors: ['spec.template.terminationDelay: Required value: terminationDelay is required'],
  },
  {
    name: 'V30 terminationDelay must be positive (zero)',
    mutate: (p) => set(p, `${T}.terminationDelay`, '0s'),
    errors: ['spec.template.terminationDelay: Invalid value: "0s": terminationDelay must be greater than 0'],
  },
  {
    name: 'V30 terminationDelay must be positive (negative, rendered as a Go duration)',
    mutate: (p) => set(p, `${T}.terminationDelay`, '-90s'),
    errors: ['spec.template.terminationDelay: Invalid value: "-1m30s": terminationDelay must be greater than 0'],
  },
  // V31
  {
    name: 'V31 PodCliqueSet mnnvl-group must be a DNS label and needs MNNVL enabled',
    mutate: (p) => set(p, 'metadata.annotations', { 'grove.io/mnnvl-group': 'invalid value with spaces' }),
    errors: [
      `metadata.annotations.grove.io/mnnvl-group: Invalid value: "invalid value with spaces": mnnvl-group value "invalid value with spaces" is not a valid DNS-1123 label: ${LABEL_MSG}`,
      `metadata.annotations.grove.io/mnnvl-group: Invalid value: "invalid value with spaces": ${MNNVL_DISABLED}`,
    ],
  },
  {
    name: 'V31 clique and scaling-group mnnvl-group annotations ("none" always allowed)',
    mutate: (p) => {
      set(p, `${T}.cliques.0.annotations`, { 'grove.io/mnnvl-group': '' });
      set(p, `${T}.cliques.1.annotations`, { 'grove.io/mnnvl-group': 'none' });
      set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'], { annotations: { 'grove.io/mnnvl-group': 'train' } })]);
    },
    errors: [
      'spec.template.cliques[0].annotations.grove.io/mnnvl-group: Invalid value: "": mnnvl-group value must not be empty',
      `spec.template.cliques[0].annotations.grove.io/mnnvl-group: Invalid value: "": ${MNNVL_DISABLED}`,
      `spec.template.podCliqueScalingGroups[0].annotations.grove.io/mnnvl-group: Invalid value: "train": ${MNNVL_DISABLED}`,
    ],
  },
  {
    name: 'V31 with MNNVL enabled only the value is checked',
    ctx: { autoMNNVLEnabled: true },
    mutate: (p) => {
      set(p, 'metadata.annotations', { 'grove.io/mnnvl-group': 'default' });
      set(p, `${T}.cliques.0.annotations`, { 'grove.io/mnnvl-group': 'a.b' });
    },
    errors: [
      'spec.template.cliques[0].annotations.grove.io/mnnvl-group: Invalid value: "a.b": mnnvl-group value "a.b" is not a valid DNS-1123 label: must not contain dots',
    ],
  },
  // V32
  {
    name: 'V32 kai-scheduler needs a queue (copse reports the profile, not the whole spec)',
    ctx: { schedulerProfiles: ['default-scheduler', 'kai-scheduler'] },
    mutate: (p) => {
      set(p, `${T}.cliques.0.spec.podSpec.schedulerName`, 'kai-scheduler');
      set(p, `${T}.cliques.1.spec.podSpec.schedulerName`, 'kai-scheduler');
    },
    errors: ['spec: Invalid value: "kai-scheduler": no KAI queue is configured on PodCliqueSet default/demo or its PodClique templates'],
  },
  {
    name: 'V32 kai-scheduler template queues must agree',
    ctx: { schedulerProfiles: ['default-scheduler', 'kai-scheduler'], defaultSchedulerName: 'kai-scheduler' },
    mutate: (p) => {
      set(p, `${T}.cliques.0.labels`, { 'kai.scheduler/queue': 'team-b' });
      set(p, `${T}.cliques.1.annotations`, { 'kai.scheduler/queue': 'team-a' });
    },
    errors: ['spec: Invalid value: "kai-scheduler": conflicting KAI queues on PodCliqueSet default/demo PodClique templates: [team-a team-b]'],
  },
  {
    name: 'V32 kai-scheduler template queue must match the PodCliqueSet queue',
    ctx: { schedulerProfiles: ['default-scheduler', 'kai-scheduler'], defaultSchedulerName: 'kai-scheduler' },
    mutate: (p) => {
      set(p, 'metadata.labels', { 'kai.scheduler/queue': 'test' });
      set(p, `${T}.cliques.1.labels`, { 'kai.scheduler/queue': 'other' });
    },
    errors: [
      'spec: Invalid value: "kai-scheduler": KAI queue on PodCliqueSet default/demo is "test" but PodClique template "worker" resolves to "other"',
    ],
  },
  // Gaps Grove leaves
  {
    name: 'fix: roleName is required',
    mutate: (p) => {
      set(p, `${T}.cliques.0.spec.roleName`, '');
      del(p, `${T}.cliques.1.spec.roleName`);
    },
    errors: [
      'spec.template.cliques[0].spec.roleName: Required value: field is required',
      'spec.template.cliques[1].spec.roleName: Required value: field is required',
    ],
  },
  {
    name: 'collects every error, in document order',
    mutate: (p) => {
      set(p, 'spec.replicas', -2);
      set(p, `${T}.cliques.0.spec.minAvailable`, 0);
      set(p, `${T}.cliques.1.name`, 'Bad');
      set(p, `${T}.terminationDelay`, '0s');
    },
    errors: [
      'spec.replicas: Invalid value: -2: must be greater than or equal to 0',
      'spec.template.cliques[0].spec.minAvailable: Invalid value: 0: must be greater than 0',
      'spec.template.cliques[1].name: Invalid value: "Bad": invalid PodCliqueTemplateSpec name, must be a valid DNS subdomain',
      'spec.template.terminationDelay: Invalid value: "0s": terminationDelay must be greater than 0',
    ],
  },
  // §3.5 topology, create
  {
    name: 'TAS disabled: no topology constraint at any level',
    ctx: { topologyAwareScheduling: false },
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block' } });
      set(p, `${T}.cliques.1.topologyConstraint`, { pack: { required: 'host', preferred: 'rack' } });
      set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'], { topologyConstraint: { pack: { preferred: 'rack' } } })]);
    },
    errors: [
      `spec.template.topologyConstraint: Invalid value: ["block"]: ${TAS_DISABLED}`,
      `spec.template.cliques[1].topologyConstraint: Invalid value: ["host","rack"]: ${TAS_DISABLED}`,
      `spec.template.podCliqueScalingGroups[0].topologyConstraint: Invalid value: ["rack"]: ${TAS_DISABLED}`,
    ],
  },
  {
    name: 'topologyName is required at the PodCliqueSet level',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { pack: { required: 'rack' } }),
    errors: [
      'spec.template.topologyConstraint.topologyName: Required value: topologyName is required when topologyConstraint is set and cannot be inherited',
    ],
  },
  {
    name: 'a scaling group without a constrained parent needs a topologyName; its members inherit it',
    mutate: (p) => {
      set(p, `${T}.podCliqueScalingGroups`, [
        group('grp', ['worker'], { topologyConstraint: { pack: { required: 'rack' } } }),
      ]);
      set(p, `${T}.cliques.1.topologyConstraint`, { pack: { required: 'host' } });
      set(p, `${T}.cliques.0.topologyConstraint`, { pack: { required: 'host' } });
    },
    errors: [
      'spec.template.podCliqueScalingGroups[0].topologyConstraint.topologyName: Required value: topologyName is required when topologyConstraint is set and cannot be inherited',
      'spec.template.cliques[0].topologyConstraint.topologyName: Required value: topologyName is required when topologyConstraint is set and cannot be inherited',
      'spec.template.cliques[1].topologyConstraint.topologyName: Required value: topologyName is required when topologyConstraint is set and cannot be inherited',
    ],
  },
  {
    name: 'a child topologyName must match the inherited one',
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block' } });
      set(p, `${T}.cliques.1.topologyConstraint`, { topologyName: 'other', pack: { required: 'host' } });
    },
    errors: [`spec.template.cliques[1].topologyConstraint.topologyName: Invalid value: "other": ${NAME_MISMATCH}`],
  },
  {
    name: 'independent constraints must use one topologyName',
    mutate: (p) => {
      set(p, `${T}.cliques.0.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'host' } });
      set(p, `${T}.cliques.1.topologyConstraint`, { topologyName: 'h100-topology', pack: { required: 'host' } });
    },
    errors: [
      `spec.template.cliques[0].topologyConstraint.topologyName: Invalid value: "grove-topology": ${NAME_MISMATCH}`,
      `spec.template.cliques[1].topologyConstraint.topologyName: Invalid value: "h100-topology": ${NAME_MISMATCH}`,
    ],
  },
  {
    name: 'the ClusterTopologyBinding must exist',
    mutate: (p) => set(p, `${T}.cliques.1.topologyConstraint`, { topologyName: 'gb200-topology', pack: { required: 'rack' } }),
    errors: ['spec.template.topologyConstraint.topologyName: Invalid value: "gb200-topology": ClusterTopologyBinding "gb200-topology" not found'],
  },
  {
    name: 'every referenced domain is a level of the ClusterTopologyBinding',
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'region', preferred: 'zone' } });
      set(p, `${T}.cliques.0.topologyConstraint`, { packDomain: 'numa' });
    },
    errors: [
      "spec.template.topologyConstraint.pack.required: Invalid value: \"region\": topology domain 'region' does not exist in cluster topology [zone block rack host]",
      "spec.template.cliques[0].topologyConstraint.packDomain: Invalid value: \"numa\": topology domain 'numa' does not exist in cluster topology [zone block rack host]",
    ],
  },
  {
    name: 'a parent constraint is not narrower than its children (required and preferred)',
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'rack', preferred: 'host' } });
      set(p, `${T}.cliques.1.topologyConstraint`, { pack: { required: 'block', preferred: 'rack' } });
    },
    errors: [
      "spec.template.topologyConstraint: Invalid value: \"rack\": PodCliqueSet topology constraint domain 'rack' is narrower than PodClique 'worker' topology constraint domain 'block'",
      "spec.template.topologyConstraint.pack.preferred: Invalid value: \"host\": PodCliqueSet topology constraint domain 'host' is narrower than PodClique 'worker' topology constraint domain 'rack'",
    ],
  },
  {
    name: 'a scaling group is compared with its members only (worker is not pworker)',
    mutate: (p) => {
      set(p, `${T}.cliques`, [
        clique('worker', {}, { topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'zone' } } }),
        clique('pworker', {}, { topologyConstraint: { pack: { required: 'rack' } } }),
      ]);
      set(p, `${T}.podCliqueScalingGroups`, [
        group('prefill', ['pworker'], { topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'host' } } }),
      ]);
    },
    errors: [
      "spec.template.podCliqueScalingGroups[0].topologyConstraint: Invalid value: \"host\": PodCliqueScalingGroup 'prefill' topology constraint domain 'host' is narrower than PodClique 'pworker' topology constraint domain 'rack'",
    ],
  },
  {
    name: 'the PodCliqueSet is compared with scaling groups',
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'host' } });
      set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'], { topologyConstraint: { pack: { required: 'block' } } })]);
    },
    errors: [
      "spec.template.topologyConstraint: Invalid value: \"host\": PodCliqueSet topology constraint domain 'host' is narrower than PodCliqueScalingGroup 'grp' topology constraint domain 'block'",
    ],
  },
];

describe('validatePodCliqueSetCreate: invalid objects', () => {
  it('has a valid baseline', () => {
    const r = create(basePCS());
    expect(texts(r)).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it.each(createCases)('$name', (c) => {
    const p = basePCS();
    c.mutate(p);
    const r = create(p, ctx(c.ctx));
    expect(texts(r)).toEqual(c.errors);
    expect(r.errors).toHaveLength(c.errors.length);
    if (c.warnings) expect(r.warnings).toEqual(c.warnings);
  });

  it('aggregates like apimachinery: one error bare, several bracketed, duplicates collapsed', () => {
    const one = basePCS();
    set(one, 'spec.replicas', -1);
    expect(formatFieldErrors(create(one).errors)).toBe('spec.replicas: Invalid value: -1: must be greater than or equal to 0');

    // Two cliques named alike: the identical metadata.name texts collapse into one.
    const many = basePCS();
    const long = 'abcdefghij-abcdefghij-abcdefghij-abcdefg';
    set(many, 'metadata.name', long);
    set(many, `${T}.cliques`, [clique('worker'), clique('worker')]);
    const r = create(many);
    const msg = `combined resource name length 46 exceeds 45-character limit required for pod naming. Consider shortening: PodCliqueSet '${long}' or PodClique 'worker'`;
    expect(r.errors).toHaveLength(6);
    expect(formatFieldErrors(r.errors)).toBe(
      `[spec.template.cliques[0].name: Invalid value: "worker": ${msg}, ` +
        `metadata.name: Invalid value: "${long}": ${msg}, ` +
        `spec.template.cliques[1].name: Invalid value: "worker": ${msg}, ` +
        'spec.template.cliques.name: Duplicate value: ["worker"], ' +
        'spec.template.cliques.roleName: Duplicate value: ["worker"]]',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Create: valid objects and warnings

describe('validatePodCliqueSetCreate: valid objects and warnings', () => {
  it('accepts a PodCliqueSet that uses every feature', () => {
    const p = basePCS();
    set(p, 'metadata.labels', { 'kai.scheduler/queue': 'test', app: 'demo' });
    set(p, 'metadata.annotations', { 'grove.io/mnnvl-group': 'default' });
    set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
    set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block', preferred: 'rack' } });
    set(p, `${T}.resourceClaimTemplates`, [rct('gpu')]);
    set(p, `${T}.resourceSharing`, [
      { name: 'gpu', scope: 'PerReplica', filter: { childCliqueNames: ['leader'], childScalingGroupNames: ['prefill'] } },
      { name: 'ext-claim', namespace: 'shared', scope: 'AllReplicas' },
    ]);
    set(p, `${T}.cliques`, [
      clique(
        'leader',
        { replicas: 2, minAvailable: 1, autoScalingConfig: { minReplicas: 1, maxReplicas: 4 } },
        { labels: { tier: 'frontend' }, annotations: { 'grove.io/mnnvl-group': 'none' } },
      ),
      clique('pleader', { startsAfter: ['leader'] }),
      clique('pworker', { replicas: 4, minAvailable: 4, startsAfter: ['pleader'] }, { topologyConstraint: { pack: { required: 'host' } } }),
    ]);
    set(p, `${T}.podCliqueScalingGroups`, [
      group('prefill', ['pleader', 'pworker'], {
        replicas: 2,
        minAvailable: 1,
        scaleConfig: { minReplicas: 2, maxReplicas: 4 },
        topologyConstraint: { pack: { required: 'rack' } },
        resourceSharing: [{ name: 'gpu', scope: 'AllReplicas', filter: { childCliqueNames: ['pworker'] } }],
      }),
    ]);
    const c = ctx({ schedulerProfiles: ['default-scheduler', 'kai-scheduler'], defaultSchedulerName: 'kai-scheduler', autoMNNVLEnabled: true });
    const r = create(p, c);
    expect(texts(r)).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(topologyNameToLookUp(p, undefined, c)).toBe('grove-topology');
  });

  it('accepts a child constraint that inherits its topologyName', () => {
    const p = basePCS();
    set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'zone' } });
    set(p, `${T}.cliques.1.topologyConstraint`, { pack: { required: 'host' } });
    expect(texts(create(p))).toEqual([]);
  });

  it('fix §10.13: warns about restartPolicy only when it is explicitly not Always', () => {
    const p = basePCS();
    set(p, `${T}.cliques.1.spec.podSpec.restartPolicy`, 'Never');
    const r = create(p);
    expect(texts(r)).toEqual([]);
    expect(r.warnings).toEqual(['restartPolicy will be ignored, it will be set to Always']);

    // A clique without restartPolicy is defaulted to Always and produces no warning.
    const q = basePCS();
    del(q, `${T}.cliques.0.spec.podSpec.restartPolicy`);
    const defaulted = defaultPodCliqueSet(q as unknown as PCS);
    expect(get(defaulted, `${T}.cliques.0.spec.podSpec.restartPolicy`)).toBe('Always');
    expect(create(defaulted as unknown as Obj).warnings).toEqual([]);
  });

  it('warns when pack.preferred is coarser than pack.required', () => {
    const p = basePCS();
    set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'rack', preferred: 'block' } });
    const r = create(p);
    expect(texts(r)).toEqual([]);
    expect(r.warnings).toEqual([
      'spec.template.topologyConstraint.pack.preferred is coarser than spec.template.topologyConstraint.pack.required and is redundant',
    ]);
  });

  it('names no topology to prefetch when the names differ: the mismatch is found without a lookup', () => {
    const p = basePCS();
    set(p, `${T}.cliques.0.topologyConstraint`, { topologyName: 'a', pack: { required: 'host' } });
    set(p, `${T}.cliques.1.topologyConstraint`, { topologyName: 'b', pack: { required: 'host' } });
    set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'], { topologyConstraint: { topologyName: 'a', pack: { required: 'rack' } } })]);
    expect(topologyNameToLookUp(p, undefined, ctx())).toBeUndefined();
    expect(topologyNameToLookUp(basePCS(), undefined, ctx())).toBeUndefined();
  });

  it('copse: refuses a topologyName that is not a DNS subdomain before looking anything up', () => {
    const p = basePCS();
    set(p, `${T}.topologyConstraint`, { topologyName: '..', pack: { required: 'rack' } });
    set(p, `${T}.cliques.1.topologyConstraint`, { topologyName: 'Grove_Topology', pack: { required: 'host' } });
    const asked: string[] = [];
    const r = create(p, ctx({ topology: (n) => (asked.push(n), undefined) }));
    expect(texts(r)).toEqual([
      `spec.template.topologyConstraint.topologyName: Invalid value: "..": ${SUBDOMAIN_MSG}`,
      `spec.template.cliques[1].topologyConstraint.topologyName: Invalid value: "Grove_Topology": ${SUBDOMAIN_MSG}`,
    ]);
    expect(asked).toEqual([]);
    expect(topologyNameToLookUp(p, undefined, ctx())).toBeUndefined();
  });

  it('2,000 distinct topology names: denied by the name rules, nothing to look up', () => {
    const p = basePCS();
    set(p, `${T}.cliques`, Array.from({ length: 2000 }, (_, i) => clique(`c${i}`, {}, { topologyConstraint: { topologyName: `t-${i}`, pack: { required: 'host' } } })));
    const asked: string[] = [];
    const r = create(p, ctx({ topology: (n) => (asked.push(n), undefined) }));
    expect(asked).toEqual([]);
    expect(topologyNameToLookUp(p, undefined, ctx())).toBeUndefined();
    const mismatches = texts(r).filter((t) => t.endsWith(NAME_MISMATCH));
    expect(mismatches).toHaveLength(2000);
    expect(mismatches[1999]).toBe(`spec.template.cliques[1999].topologyConstraint.topologyName: Invalid value: "t-1999": ${NAME_MISMATCH}`);
  });

  it('does not throw on wrongly typed input and reports what it can', () => {
    const weird: unknown[] = [
      null,
      'x',
      {},
      { metadata: 'x', spec: null },
      { metadata: { name: 'demo', namespace: 'default' }, spec: { replicas: '3', template: { cliques: 'x' } } },
      { metadata: { name: 'demo', namespace: 'default' }, spec: { template: { cliques: [null, 5, { name: 7, spec: 'x' }] } } },
    ];
    for (const w of weird) {
      expect(() => validatePodCliqueSetCreate(w as PCS, ctx())).not.toThrow();
      expect(() => validatePodCliqueSetUpdate(w as PCS, w as PCS, ctx())).not.toThrow();
    }
    expect(texts(validatePodCliqueSetCreate({} as PCS, ctx()))).toEqual([
      'metadata.name: Required value: name or generateName is required',
      'metadata.namespace: Required value',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Update

interface UpdateCase {
  name: string;
  old?: (p: Obj) => void;
  mutate: (p: Obj) => void;
  ctx?: Partial<PodCliqueSetValidationContext>;
  errors: string[];
  warnings?: string[];
}

const updateCases: UpdateCase[] = [
  {
    name: 'a clique cannot be added',
    mutate: (p) => (get(p, `${T}.cliques`) as Obj[]).push(clique('extra')),
    errors: [
      'spec.template.cliques: Forbidden: not allowed to change clique composition',
      "spec.template.cliques[2].name: Forbidden: not allowed to change clique composition, new clique name 'extra' is not allowed",
    ],
  },
  {
    name: 'a clique cannot be removed',
    mutate: (p) => set(p, `${T}.cliques`, [clique('leader')]),
    errors: ['spec.template.cliques: Forbidden: not allowed to change clique composition'],
  },
  {
    name: 'a clique cannot be renamed',
    mutate: (p) => set(p, `${T}.cliques.1.name`, 'worker2'),
    errors: ["spec.template.cliques[1].name: Forbidden: not allowed to change clique composition, new clique name 'worker2' is not allowed"],
  },
  {
    name: 'clique order is fixed for InOrder (copse names the clique that was there)',
    old: (p) => set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeInOrder'),
    mutate: (p) => set(p, `${T}.cliques`, [...(get(p, `${T}.cliques`) as Obj[])].reverse()),
    errors: [
      "spec.template.cliques[0].name: Invalid value: \"worker\": clique order cannot be changed when StartupType is InOrder or Explicit. Expected 'leader' at position 0, got 'worker'",
      "spec.template.cliques[1].name: Invalid value: \"leader\": clique order cannot be changed when StartupType is InOrder or Explicit. Expected 'worker' at position 1, got 'leader'",
    ],
  },
  {
    name: 'fix §10.9/§10.16: cliques are matched by exact name and errors carry the new index',
    old: (p) =>
      set(p, `${T}.cliques`, [
        clique('worker', { replicas: 4, minAvailable: 2 }),
        clique('pworker', { replicas: 4, minAvailable: 2 }),
      ]),
    mutate: (p) =>
      set(p, `${T}.cliques`, [
        clique('pworker', { replicas: 4, minAvailable: 2 }),
        clique('worker', { replicas: 4, minAvailable: 3 }),
      ]),
    errors: ['spec.template.cliques[1].spec.minAvailable: Invalid value: 3: field is immutable'],
  },
  {
    name: 'roleName, startsAfter, schedulerName and clique resourceSharing are immutable',
    mutate: (p) => {
      set(p, `${T}.cliques.1.spec.roleName`, 'w2');
      set(p, `${T}.cliques.1.spec.startsAfter`, ['leader']);
      set(p, `${T}.cliques.1.spec.podSpec.schedulerName`, 'default-scheduler');
      set(p, `${T}.cliques.1.resourceSharing`, [{ name: 'ext', scope: 'AllReplicas' }]);
    },
    errors: [
      'spec.template.cliques[1].spec.roleName: Invalid value: "w2": field is immutable',
      'spec.template.cliques[1].spec.startsAfter: Invalid value: ["leader"]: field is immutable',
      'spec.template.cliques[1].spec.podSpec.schedulerName: Invalid value: "default-scheduler": field is immutable',
      'spec.template.cliques[1].resourceSharing: Invalid value: [{"name":"ext","scope":"AllReplicas"}]: field is immutable',
    ],
  },
  {
    name: 'removing minAvailable is an immutable-field change (null)',
    mutate: (p) => del(p, `${T}.cliques.0.spec.minAvailable`),
    errors: [
      'spec.template.cliques[0].spec.minAvailable: Required value: field is required',
      'spec.template.cliques[0].spec.minAvailable: Invalid value: null: field is immutable',
    ],
  },
  {
    name: 'cliqueStartupType is immutable',
    mutate: (p) => set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeInOrder'),
    errors: ['spec.template.cliqueStartupType: Invalid value: "CliqueStartupTypeInOrder": field is immutable'],
  },
  {
    name: 'scaling groups cannot be added or removed',
    old: (p) => set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'])]),
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker']), group('extra', ['leader'])]),
    errors: [
      'spec.template.podCliqueScalingGroups: Forbidden: not allowed to add or remove PodCliqueScalingGroupConfigs',
      "spec.template.podCliqueScalingGroups[1].name: Forbidden: not allowed to change scaling group composition, new scaling group name 'extra' is not allowed",
    ],
  },
  {
    name: 'scaling group cliqueNames, minAvailable and resourceSharing are immutable; replicas is not',
    old: (p) => set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'])]),
    mutate: (p) =>
      set(p, `${T}.podCliqueScalingGroups`, [
        group('grp', ['worker', 'leader'], { replicas: 3, minAvailable: 2, resourceSharing: [{ name: 'x', scope: 'PerReplica' }] }),
      ]),
    errors: [
      'spec.template.podCliqueScalingGroups[0].cliqueNames: Invalid value: ["worker","leader"]: field is immutable',
      'spec.template.podCliqueScalingGroups[0].minAvailable: Invalid value: 2: field is immutable',
      'spec.template.podCliqueScalingGroups[0].resourceSharing: Invalid value: [{"name":"x","scope":"PerReplica"}]: field is immutable',
    ],
  },
  {
    name: 'resourceClaimTemplates and PodCliqueSet resourceSharing are immutable',
    old: (p) => {
      set(p, `${T}.resourceClaimTemplates`, [rct('gpu')]);
      set(p, `${T}.resourceSharing`, [{ name: 'gpu', scope: 'AllReplicas' }]);
    },
    mutate: (p) => {
      set(p, `${T}.resourceClaimTemplates`, [rct('gpu', [{ name: 'gpu2' }])]);
      set(p, `${T}.resourceSharing`, [{ name: 'gpu', scope: 'PerReplica' }]);
    },
    errors: [
      'spec.template.resourceClaimTemplates: Invalid value: [{"name":"gpu","templateSpec":{"spec":{"devices":{"requests":[{"name":"gpu2"}]}}}}]: field is immutable',
      'spec.template.resourceSharing: Invalid value: [{"name":"gpu","scope":"PerReplica"}]: field is immutable',
    ],
  },
  {
    name: 'topologyName cannot change',
    old: (p) => set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block' } }),
    mutate: (p) => set(p, `${T}.topologyConstraint.topologyName`, 'h100-topology'),
    errors: ['spec.template.topologyConstraint.topologyName: Forbidden: topologyName cannot be changed from "grove-topology" to "h100-topology"'],
  },
  {
    name: 'topology constraints cannot be added, removed or changed at any level',
    old: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block' } });
      set(p, `${T}.cliques.0.topologyConstraint`, { pack: { required: 'host' } });
      set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'], { topologyConstraint: { pack: { required: 'rack' } } })]);
    },
    mutate: (p) => {
      set(p, `${T}.topologyConstraint.pack.required`, 'zone');
      del(p, `${T}.cliques.0.topologyConstraint`);
      set(p, `${T}.cliques.1.topologyConstraint`, { pack: { required: 'host' } });
      set(p, `${T}.podCliqueScalingGroups.0.topologyConstraint.pack.preferred`, 'block');
    },
    errors: [
      'spec.template.topologyConstraint: Forbidden: PodCliqueSet topology constraint cannot be changed from required="block" preferred="" to required="zone" preferred=""',
      "spec.template.cliques[0].topologyConstraint: Forbidden: PodClique 'leader' topology constraint cannot be removed after creation",
      "spec.template.cliques[1].topologyConstraint: Forbidden: PodClique 'worker' topology constraint cannot be added after creation",
      'spec.template.podCliqueScalingGroups[0].topologyConstraint: Forbidden: PodCliqueScalingGroup \'grp\' topology constraint cannot be changed from required="rack" preferred="" to required="rack" preferred="block"',
    ],
  },
  {
    name: 'packDomain may move to pack.required unchanged, nothing else',
    old: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', packDomain: 'block' });
      set(p, `${T}.cliques.0.topologyConstraint`, { packDomain: 'host' });
    },
    mutate: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block' } });
      set(p, `${T}.cliques.0.topologyConstraint`, { pack: { required: 'rack' } });
    },
    errors: [
      "spec.template.cliques[0].topologyConstraint: Forbidden: PodClique 'leader' deprecated packDomain migration can only move packDomain to pack.required without changing the required or preferred topology domain (old required=\"host\" preferred=\"\", new required=\"rack\" preferred=\"\")",
    ],
    warnings: [],
  },
  {
    name: 'a remaining packDomain is accepted with a deprecation warning',
    old: (p) => set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', packDomain: 'block' }),
    mutate: (p) => set(p, 'spec.replicas', 3),
    errors: [],
    warnings: ['spec.template.topologyConstraint.packDomain is deprecated; use spec.template.topologyConstraint.pack.required instead'],
  },
  {
    name: 'legacy repair: a packDomain-only object may gain a topologyName',
    old: (p) => set(p, `${T}.topologyConstraint`, { packDomain: 'rack' }),
    mutate: (p) => set(p, `${T}.topologyConstraint.topologyName`, 'grove-topology'),
    errors: [],
    warnings: ['spec.template.topologyConstraint.packDomain is deprecated; use spec.template.topologyConstraint.pack.required instead'],
  },
  {
    name: 'legacy repair is validated like a create',
    old: (p) => set(p, `${T}.topologyConstraint`, { packDomain: 'rack' }),
    mutate: (p) => set(p, `${T}.topologyConstraint.topologyName`, 'missing-topology'),
    errors: ['spec.template.topologyConstraint.topologyName: Invalid value: "missing-topology": ClusterTopologyBinding "missing-topology" not found'],
  },
  {
    name: 'adding a PodCliqueSet topology constraint after creation',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block' } }),
    errors: ['spec.template.topologyConstraint: Forbidden: PodCliqueSet topology constraint cannot be added after creation'],
  },
  {
    name: 'removing a PodCliqueSet topology constraint after creation',
    old: (p) => set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block' } }),
    mutate: (p) => del(p, `${T}.topologyConstraint`),
    errors: ['spec.template.topologyConstraint: Forbidden: PodCliqueSet topology constraint cannot be removed after creation'],
  },
  {
    name: 'legacy repair cannot change the domain',
    old: (p) => set(p, `${T}.topologyConstraint`, { packDomain: 'rack' }),
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', packDomain: 'host' }),
    errors: ['spec.template.topologyConstraint.topologyName: Forbidden: topologyName cannot be changed from "" to "grove-topology"'],
  },
  {
    name: 'the mnnvl-group annotation cannot be changed, removed or added (matched by name)',
    old: (p) => {
      set(p, 'metadata.annotations', { 'grove.io/mnnvl-group': 'a' });
      set(p, `${T}.cliques.0.annotations`, { 'grove.io/mnnvl-group': 'x' });
      set(p, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'])]);
    },
    mutate: (p) => {
      set(p, 'metadata.annotations', { 'grove.io/mnnvl-group': 'b' });
      del(p, `${T}.cliques.0.annotations`);
      set(p, `${T}.cliques.1.annotations`, { 'grove.io/mnnvl-group': 'none' });
      set(p, `${T}.podCliqueScalingGroups.0.annotations`, { 'grove.io/mnnvl-group': 'y' });
    },
    errors: [
      'metadata.annotations.grove.io/mnnvl-group: Invalid value: "b": annotation grove.io/mnnvl-group is immutable and cannot be changed from "a" to "b"',
      'spec.template.cliques[0].annotations.grove.io/mnnvl-group: Forbidden: annotation grove.io/mnnvl-group cannot be removed after PodCliqueSet creation',
      'spec.template.cliques[1].annotations.grove.io/mnnvl-group: Forbidden: annotation grove.io/mnnvl-group cannot be added after PodCliqueSet creation',
      'spec.template.podCliqueScalingGroups[0].annotations.grove.io/mnnvl-group: Forbidden: annotation grove.io/mnnvl-group cannot be added after PodCliqueSet creation',
    ],
  },
  {
    name: 'static rules still apply on update',
    mutate: (p) => set(p, `${T}.cliques.1.spec.minAvailable`, 5),
    errors: [
      'spec.template.cliques[1].spec.minAvailable: Invalid value: 5: minAvailable must not be greater than replicas',
      'spec.template.cliques[1].spec.minAvailable: Invalid value: 5: field is immutable',
    ],
  },
];

describe('validatePodCliqueSetUpdate', () => {
  it.each(updateCases)('$name', (c) => {
    const old = basePCS();
    c.old?.(old);
    const next = structuredClone(old);
    c.mutate(next);
    const r = update(next, old, ctx(c.ctx));
    expect(texts(r)).toEqual(c.errors);
    if (c.warnings) expect(r.warnings).toEqual(c.warnings);
  });

  it('accepts changes to the freely mutable fields', () => {
    const old = basePCS();
    set(old, `${T}.podCliqueScalingGroups`, [group('grp', ['worker'], { scaleConfig: { minReplicas: 1, maxReplicas: 2 } })]);
    const next = structuredClone(old);
    set(next, 'spec.replicas', 5);
    set(next, 'spec.updateStrategy', { type: 'OnDelete' });
    set(next, 'metadata.labels', { team: 'b' });
    set(next, `${T}.priorityClassName`, 'high');
    set(next, `${T}.terminationDelay`, '10s');
    set(next, `${T}.headlessServiceConfig.publishNotReadyAddresses`, false);
    set(next, `${T}.cliques.0.spec.replicas`, 3);
    set(next, `${T}.cliques.0.spec.podSpec.containers.0.image`, 'busybox:2');
    set(next, `${T}.cliques.0.labels`, { version: 'v2' });
    set(next, `${T}.podCliqueScalingGroups.0.replicas`, 2);
    set(next, `${T}.podCliqueScalingGroups.0.scaleConfig`, { minReplicas: 1, maxReplicas: 8 });
    const r = update(next, old);
    expect(texts(r)).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('skips the create-only rules (V22, topology creation, V31)', () => {
    const old = basePCS();
    set(old, `${T}.cliques.0.spec.podSpec.nodeName`, 'node-1');
    set(old, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'block' } });
    set(old, 'metadata.annotations', { 'grove.io/mnnvl-group': 'a' });
    const next = structuredClone(old);
    set(next, 'spec.replicas', 2);
    const r = update(next, old, ctx({ topologyAwareScheduling: false, autoMNNVLEnabled: false }));
    expect(texts(r)).toEqual([]);
  });

  it('an unchanged object is a valid update', () => {
    const p = basePCS();
    expect(texts(update(p, structuredClone(p)))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The prefetch names exactly what the rules ask for

/** The ClusterTopologyBinding names a validation asks `ctx.topology` for. */
function askedFor(run: (c: PodCliqueSetValidationContext) => unknown, over: Partial<PodCliqueSetValidationContext> = {}): string[] {
  const asked: string[] = [];
  const base = ctx(over);
  run({ ...base, topology: (n) => (asked.push(n), base.topology?.(n)) });
  return asked;
}

describe('topologyNameToLookUp agrees with the rules on every case above', () => {
  it.each(createCases)('create: $name', (c) => {
    const p = basePCS();
    c.mutate(p);
    const want = topologyNameToLookUp(p, undefined, ctx(c.ctx));
    expect(askedFor((x) => create(p, x), c.ctx)).toEqual(want === undefined ? [] : [want]);
  });

  it.each(updateCases)('update: $name', (c) => {
    const old = basePCS();
    c.old?.(old);
    const next = structuredClone(old);
    c.mutate(next);
    const want = topologyNameToLookUp(next, old, ctx(c.ctx));
    expect(askedFor((x) => update(next, old, x), c.ctx)).toEqual(want === undefined ? [] : [want]);
  });

  it('looks up the one name of a create, and of a legacy repair only among updates', () => {
    const p = basePCS();
    set(p, `${T}.topologyConstraint`, { topologyName: 'grove-topology', pack: { required: 'rack' } });
    expect(topologyNameToLookUp(p, undefined, ctx())).toBe('grove-topology');
    expect(topologyNameToLookUp(p, undefined, ctx({ topologyAwareScheduling: false }))).toBeUndefined();
    const scaled = structuredClone(p);
    set(scaled, 'spec.replicas', 3);
    expect(topologyNameToLookUp(scaled, p, ctx())).toBeUndefined();
    const legacy = basePCS();
    set(legacy, `${T}.topologyConstraint`, { packDomain: 'rack' });
    const repaired = structuredClone(legacy);
    set(repaired, `${T}.topologyConstraint.topologyName`, 'grove-topology');
    expect(topologyNameToLookUp(repaired, legacy, ctx())).toBe('grove-topology');
  });
});
