// Updates of PodCliqueSets through the real kube-apiserver and the pinned kubectl: every immutable
// field is refused with a path that carries the list index, the mutable ones update, and cliques
// are matched by exact name (`worker` is never confused with `pworker`).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Obj,
  LOCAL_LEVELS,
  aggregate,
  applyJson,
  clique,
  clusterTopology,
  deniedOnApplyPatch,
  del,
  get,
  getJson,
  lines,
  podCliqueSet,
  set,
  uniqueSuffix,
} from '../support/admission.js';
import { clients, kubectl, testNamespace } from '../support/kube.js';

const kubeconfig = inject('kubeconfig');
const { core } = clients(kubeconfig);
let ns: { name: string; cleanup: () => Promise<void> };
const CTB = `adm-upd-topo-${uniqueSuffix()}`;

const T = 'spec.template';
const C0 = `${T}.cliques.0`;
const C1 = `${T}.cliques.1`;
const G0 = `${T}.podCliqueScalingGroups.0`;

/** `leader` (1 replica) and `worker` (4 replicas, minAvailable 2); replicas 0 so nothing is instantiated. */
const base = (name: string): Obj => podCliqueSet(name, [clique('leader'), clique('worker', { replicas: 4, minAvailable: 2 })], {}, 0);
const group = (extra: Obj = {}): Obj => ({ name: 'grp', cliqueNames: ['worker'], ...extra });

/** Every PodCliqueSet the tests start from, by name; created together in beforeAll. */
const initial = new Map<string, Obj>();
function starting(pcs: Obj): Obj {
  initial.set((pcs.metadata as { name: string }).name, pcs);
  return structuredClone(pcs);
}

beforeAll(async () => {
  ns = await testNamespace(core, 'adm-update');
  const ctb = await applyJson(kubeconfig, clusterTopology(CTB, LOCAL_LEVELS));
  expect(ctb.stderr).toBe('');
  // One kubectl for all starting objects (a List): each item gets its own last-applied annotation.
  const r = await applyJson(kubeconfig, { apiVersion: 'v1', kind: 'List', items: [...initial.values()] }, ['-n', ns.name]);
  expect(r.stderr).toBe('');
  expect(lines(r.stdout)).toEqual([...initial.keys()].map((n) => `podcliqueset.grove.io/${n} created`));
}, 120_000);

afterAll(async () => {
  await kubectl(kubeconfig, ['delete', 'clustertopologybinding', CTB, '--ignore-not-found', '--wait=false']);
  await ns?.cleanup();
});

interface UpdateCase {
  rule: string;
  /** Changes to the base before it is created. */
  old?: (p: Obj) => void;
  /** The update, applied to a copy of the created manifest. */
  mutate: (p: Obj) => void;
  errors: string[];
}

const IMMUTABLE = 'field is immutable';
const ORDER = 'clique order cannot be changed when StartupType is InOrder or Explicit.';
const reverse = (p: Obj): void => set(p, `${T}.cliques`, [...(get(p, `${T}.cliques`) as Obj[])].reverse());

const cases: UpdateCase[] = [
  {
    rule: 'clique roleName',
    mutate: (p) => set(p, `${C1}.spec.roleName`, 'w2'),
    errors: [`spec.template.cliques[1].spec.roleName: Invalid value: "w2": ${IMMUTABLE}`],
  },
  {
    rule: 'clique minAvailable',
    mutate: (p) => set(p, `${C1}.spec.minAvailable`, 3),
    errors: [`spec.template.cliques[1].spec.minAvailable: Invalid value: 3: ${IMMUTABLE}`],
  },
  {
    rule: 'clique minAvailable dropped from the manifest (re-defaulted to replicas)',
    mutate: (p) => del(p, `${C1}.spec.minAvailable`),
    errors: [`spec.template.cliques[1].spec.minAvailable: Invalid value: 4: ${IMMUTABLE}`],
  },
  {
    rule: 'clique startsAfter',
    old: (p) => set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit'),
    mutate: (p) => set(p, `${C1}.spec.startsAfter`, ['leader']),
    errors: [`spec.template.cliques[1].spec.startsAfter: Invalid value: ["leader"]: ${IMMUTABLE}`],
  },
  {
    rule: 'cliqueStartupType',
    mutate: (p) => set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeInOrder'),
    errors: [`spec.template.cliqueStartupType: Invalid value: "CliqueStartupTypeInOrder": ${IMMUTABLE}`],
  },
  {
    rule: 'clique schedulerName',
    mutate: (p) => set(p, `${C1}.spec.podSpec.schedulerName`, 'default-scheduler'),
    errors: [`spec.template.cliques[1].spec.podSpec.schedulerName: Invalid value: "default-scheduler": ${IMMUTABLE}`],
  },
  {
    rule: 'scaling group cliqueNames',
    old: (p) => set(p, `${T}.podCliqueScalingGroups`, [group()]),
    mutate: (p) => set(p, `${G0}.cliqueNames`, ['worker', 'leader']),
    errors: [`spec.template.podCliqueScalingGroups[0].cliqueNames: Invalid value: ["worker","leader"]: ${IMMUTABLE}`],
  },
  {
    rule: 'scaling group minAvailable',
    old: (p) => set(p, `${T}.podCliqueScalingGroups`, [group({ replicas: 2, minAvailable: 1 })]),
    mutate: (p) => set(p, `${G0}.minAvailable`, 2),
    errors: [`spec.template.podCliqueScalingGroups[0].minAvailable: Invalid value: 2: ${IMMUTABLE}`],
  },
  {
    rule: 'adding a scaling group',
    mutate: (p) => set(p, `${T}.podCliqueScalingGroups`, [group()]),
    errors: [
      'spec.template.podCliqueScalingGroups: Forbidden: not allowed to add or remove PodCliqueScalingGroupConfigs',
      "spec.template.podCliqueScalingGroups[0].name: Forbidden: not allowed to change scaling group composition, new scaling group name 'grp' is not allowed",
    ],
  },
  {
    rule: 'adding a clique',
    mutate: (p) => (get(p, `${T}.cliques`) as Obj[]).push(clique('extra')),
    errors: [
      'spec.template.cliques: Forbidden: not allowed to change clique composition',
      "spec.template.cliques[2].name: Forbidden: not allowed to change clique composition, new clique name 'extra' is not allowed",
    ],
  },
  {
    rule: 'removing a clique',
    mutate: (p) => del(p, `${T}.cliques.0`),
    errors: ['spec.template.cliques: Forbidden: not allowed to change clique composition'],
  },
  {
    rule: 'renaming a clique',
    mutate: (p) => set(p, `${C1}.name`, 'worker2'),
    errors: ["spec.template.cliques[1].name: Forbidden: not allowed to change clique composition, new clique name 'worker2' is not allowed"],
  },
  {
    rule: 'reordering cliques under InOrder',
    old: (p) => set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeInOrder'),
    mutate: reverse,
    errors: [
      `spec.template.cliques[0].name: Invalid value: "worker": ${ORDER} Expected 'leader' at position 0, got 'worker'`,
      `spec.template.cliques[1].name: Invalid value: "leader": ${ORDER} Expected 'worker' at position 1, got 'leader'`,
    ],
  },
  {
    rule: 'reordering cliques under Explicit',
    old: (p) => {
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
      set(p, `${C1}.spec.startsAfter`, ['leader']);
    },
    mutate: reverse,
    errors: [
      `spec.template.cliques[0].name: Invalid value: "worker": ${ORDER} Expected 'leader' at position 0, got 'worker'`,
      `spec.template.cliques[1].name: Invalid value: "leader": ${ORDER} Expected 'worker' at position 1, got 'leader'`,
    ],
  },
  {
    rule: 'several immutable fields at once, all reported',
    mutate: (p) => {
      set(p, `${C0}.spec.roleName`, 'boss');
      set(p, `${C1}.spec.minAvailable`, 1);
      set(p, `${T}.cliqueStartupType`, 'CliqueStartupTypeExplicit');
    },
    errors: [
      `spec.template.cliques[0].spec.roleName: Invalid value: "boss": ${IMMUTABLE}`,
      `spec.template.cliques[1].spec.minAvailable: Invalid value: 1: ${IMMUTABLE}`,
      `spec.template.cliqueStartupType: Invalid value: "CliqueStartupTypeExplicit": ${IMMUTABLE}`,
    ],
  },
  {
    rule: 'static rules still apply on update',
    mutate: (p) => set(p, `${C1}.spec.minAvailable`, 5),
    errors: [
      'spec.template.cliques[1].spec.minAvailable: Invalid value: 5: minAvailable must not be greater than replicas',
      `spec.template.cliques[1].spec.minAvailable: Invalid value: 5: ${IMMUTABLE}`,
    ],
  },
  {
    rule: 'changing the PodCliqueSet pack domain',
    old: (p) => set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'block' } }),
    mutate: (p) => set(p, `${T}.topologyConstraint.pack.required`, 'zone'),
    errors: [
      'spec.template.topologyConstraint: Forbidden: PodCliqueSet topology constraint cannot be changed from required="block" preferred="" to required="zone" preferred=""',
    ],
  },
  {
    rule: 'changing the topologyName',
    old: (p) => set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'block' } }),
    mutate: (p) => set(p, `${T}.topologyConstraint.topologyName`, `${CTB}-b`),
    errors: [`spec.template.topologyConstraint.topologyName: Forbidden: topologyName cannot be changed from "${CTB}" to "${CTB}-b"`],
  },
  {
    rule: 'adding a PodCliqueSet topology constraint',
    mutate: (p) => set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'block' } }),
    errors: ['spec.template.topologyConstraint: Forbidden: PodCliqueSet topology constraint cannot be added after creation'],
  },
  {
    rule: 'adding a clique topology constraint',
    old: (p) => set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'block' } }),
    mutate: (p) => set(p, `${C0}.topologyConstraint`, { pack: { required: 'host' } }),
    errors: ["spec.template.cliques[0].topologyConstraint: Forbidden: PodClique 'leader' topology constraint cannot be added after creation"],
  },
  {
    rule: 'removing a clique topology constraint',
    old: (p) => {
      set(p, `${T}.topologyConstraint`, { topologyName: CTB, pack: { required: 'block' } });
      set(p, `${C1}.topologyConstraint`, { pack: { required: 'rack' } });
    },
    mutate: (p) => del(p, `${C1}.topologyConstraint`),
    errors: ["spec.template.cliques[1].topologyConstraint: Forbidden: PodClique 'worker' topology constraint cannot be removed after creation"],
  },
  {
    rule: 'adding a preferred domain to a scaling group constraint',
    old: (p) => set(p, `${T}.podCliqueScalingGroups`, [group({ topologyConstraint: { topologyName: CTB, pack: { required: 'rack' } } })]),
    mutate: (p) => set(p, `${G0}.topologyConstraint.pack.preferred`, 'host'),
    errors: [
      'spec.template.podCliqueScalingGroups[0].topologyConstraint: Forbidden: PodCliqueScalingGroup \'grp\' topology constraint cannot be changed from required="rack" preferred="" to required="rack" preferred="host"',
    ],
  },
];

const caseStarts = cases.map((c, i) => {
  const old = base(`upd-${i}`);
  c.old?.(old);
  return starting(old);
});

describe('immutable fields', () => {
  it.concurrent.for(cases.map((c, i) => ({ ...c, index: i })))('$rule is refused', async (c, { expect }) => {
    const next = structuredClone(caseStarts[c.index] as Obj);
    c.mutate(next);
    const r = await applyJson(kubeconfig, next, ['-n', ns.name]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)[0]).toBe('Error from server (Forbidden): error when applying patch:');
    expect(lines(r.stderr).at(-1)).toBe(deniedOnApplyPatch(c.errors));
  });

  starting(base('json-patch'));
  it('a JSON patch gets the complete message with the clique index', async () => {
    const r = await kubectl(kubeconfig, [
      'patch', 'pcs', 'json-patch', '-n', ns.name, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/cliques/1/spec/minAvailable', value: 3 }]),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'Error from server (Forbidden): admission webhook "pcs.validating.webhooks.grove.io" denied the request: spec.template.cliques[1].spec.minAvailable: Invalid value: 3: field is immutable\n',
    );
    const merge = await kubectl(kubeconfig, ['patch', 'pcs', 'json-patch', '-n', ns.name, '--type=merge', '-p', '{"spec":{"template":{"cliqueStartupType":"CliqueStartupTypeExplicit"}}}']);
    expect(merge.stderr.trim()).toBe(
      `Error from server (Forbidden): admission webhook "pcs.validating.webhooks.grove.io" denied the request: ${aggregate([
        `spec.template.cliqueStartupType: Invalid value: "CliqueStartupTypeExplicit": ${IMMUTABLE}`,
      ])}`,
    );
    const stored = await getJson(kubeconfig, 'pcs', 'json-patch', ns.name);
    expect(get(stored, `${C1}.spec.minAvailable`)).toBe(2);
    expect(get(stored, `${T}.cliqueStartupType`)).toBe('CliqueStartupTypeAnyOrder');
    expect(get(stored, 'metadata.generation')).toBe(1);
  });
});

describe('mutable fields', () => {
  const mutable = starting(base('mutable'));
  it('spec.replicas, clique replicas, podSpec image and terminationDelay update', async () => {
    const pcs = mutable;
    const patches: [string, Obj | Obj[]][] = [
      ['merge', { spec: { replicas: 0, template: { terminationDelay: '30m' } } }],
      ['json', [{ op: 'replace', path: '/spec/template/cliques/1/spec/replicas', value: 6 }]],
      ['json', [{ op: 'replace', path: '/spec/template/cliques/0/spec/podSpec/containers/0/image', value: 'registry.k8s.io/pause:3.9' }]],
    ];
    for (const [type, patch] of patches) {
      const r = await kubectl(kubeconfig, ['patch', 'pcs', 'mutable', '-n', ns.name, `--type=${type}`, '-p', JSON.stringify(patch)]);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toMatch(/^podcliqueset\.grove\.io\/mutable (patched|patched \(no change\))$/);
    }
    const scaled = await kubectl(kubeconfig, ['scale', 'pcs', 'mutable', '-n', ns.name, '--replicas=2']);
    expect(scaled.stderr).toBe('');
    expect(scaled.stdout.trim()).toBe('podcliqueset.grove.io/mutable scaled');
    // And a full re-apply of the edited manifest (the clique list replaced whole) is admitted too.
    set(pcs, 'spec.replicas', 2);
    set(pcs, `${T}.terminationDelay`, '30m');
    set(pcs, `${C1}.spec.replicas`, 5);
    set(pcs, `${C0}.spec.podSpec.containers.0.image`, 'registry.k8s.io/pause:3.9');
    const applied = await applyJson(kubeconfig, pcs, ['-n', ns.name]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('podcliqueset.grove.io/mutable configured');

    const stored = await getJson(kubeconfig, 'pcs', 'mutable', ns.name);
    expect(get(stored, 'spec.replicas')).toBe(2);
    expect(get(stored, `${T}.terminationDelay`)).toBe('30m');
    expect(get(stored, `${C1}.spec.replicas`)).toBe(5);
    expect(get(stored, `${C1}.spec.minAvailable`)).toBe(2);
    expect(get(stored, `${C0}.spec.podSpec.containers.0.image`)).toBe('registry.k8s.io/pause:3.9');
  });

  const anyOrder = starting(base('reorder-anyorder'));
  it('reordering cliques under AnyOrder is allowed', async () => {
    const pcs = anyOrder;
    reverse(pcs);
    const r = await applyJson(kubeconfig, pcs, ['-n', ns.name]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('podcliqueset.grove.io/reorder-anyorder configured');
    const stored = await getJson(kubeconfig, 'pcs', 'reorder-anyorder', ns.name);
    expect((get(stored, `${T}.cliques`) as Obj[]).map((c) => c.name)).toEqual(['worker', 'leader']);
  });
});

describe('cliques are matched by exact name', () => {
  const twins = (name: string): Obj =>
    podCliqueSet(name, [clique('worker', { replicas: 4, minAvailable: 2 }), clique('pworker', { replicas: 4, minAvailable: 2 })], {}, 0);

  it.concurrent.for([
    {
      what: "changing pworker's minAvailable reports the pworker path only",
      name: 'twins-pworker',
      mutate: (p: Obj) => set(p, `${C1}.spec.minAvailable`, 3),
      errors: [`spec.template.cliques[1].spec.minAvailable: Invalid value: 3: ${IMMUTABLE}`],
    },
    {
      what: "changing worker's minAvailable reports the worker path only",
      name: 'twins-worker',
      mutate: (p: Obj) => set(p, `${C0}.spec.minAvailable`, 1),
      errors: [`spec.template.cliques[0].spec.minAvailable: Invalid value: 1: ${IMMUTABLE}`],
    },
    {
      what: 'after a reorder, the error carries the new index of the changed clique',
      name: 'twins-reordered',
      mutate: (p: Obj) => {
        reverse(p);
        set(p, `${C1}.spec.minAvailable`, 3);
      },
      errors: [`spec.template.cliques[1].spec.minAvailable: Invalid value: 3: ${IMMUTABLE}`],
    },
  ].map((c) => ({ ...c, old: starting(twins(c.name)) })))('$what', async (c, { expect }) => {
    const next = structuredClone(c.old);
    c.mutate(next);
    const r = await applyJson(kubeconfig, next, ['-n', ns.name]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).at(-1)).toBe(deniedOnApplyPatch(c.errors));
  });
});
