// Grove's topology-aware scheduling scenarios TAS3-TAS23 (grove-compat §9.3, the tas-*.yaml e2e
// workloads), written once and run on both backends of the local cluster: topology-scheduling.test.ts
// (workload-scheduling mode off: copse's planner and extender hold every gang) and
// gang-scheduling-native.test.ts (mode native: kube-scheduler places every gang v1.37 can express;
// preferred packing still goes through the extender, and each scenario asserts which backend took
// which gang). TAS2, TAS13, grove#648 and replica spread run in gang-scenarios.ts.
//
// The workloads are Grove's YAML, adapted to a private pool of simulated nodes (2 blocks × 2 racks ×
// 2 hosts) and to a ClusterTopologyBinding of the local cluster's label keys, named in place of
// `grove-topology`. All PodCliqueSets of the table are created at once and checked each in its own
// test, so the file's wall time is that of the slowest scenario, not the sum: concurrent gangs only
// make the packing harder, never easier. Every pod set a constraint names is checked against the
// labels of the nodes its pods were bound to, read back from kube-apiserver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../api/core/wire.js';
import type { ClusterTopologyBinding, PodCliqueSet, PodGang } from '../../api/index.js';
import { LABEL_PART_OF, LABEL_PCS_REPLICA_INDEX, LABEL_PCSG, LABEL_PCSG_REPLICA_INDEX, LABEL_PODCLIQUE, LABEL_PODGANG } from '../../api/keys.js';
import { NATIVE_REASON, schedulingGroupOf } from '../../api/native/index.js';
import { RESOURCES } from '../../kube/resources.js';
import { NATIVE_RESOURCES } from '../../scheduler/native/resources.js';
import { LOCAL_LEVELS, clusterTopology, uniqueSuffix } from './admission.js';
import { createNamespace, listIn, testClient } from './dynamic.js';
import type { ClusterBackend } from './gang-scenarios.js';
import { groveSamplesPresent, podCliqueSetDocs } from './grove-samples.js';
import { eventually } from './kube.js';
import { boundPods, createPool, type Pool } from './pool.js';

type Level = 'zone' | 'block' | 'rack' | 'host';
const KEY_OF: Record<Level, string> = Object.fromEntries(LOCAL_LEVELS.map(([d, k]) => [d, k])) as Record<Level, string>;

/** Who places a gang on a native cluster: kube-scheduler, or the extender for a reason. */
type Holder = 'native' | { extender: RegExp };

/** Which pods one domain must hold: every group the function names lies in one domain of `level`. */
interface Packed {
  level: Level;
  /** The group a pod belongs to (undefined: not constrained). */
  by: (pod: Pod) => string | undefined;
  /** How many groups there must be (a group of one pod proves nothing, so the table says how many it expects). */
  groups: number;
}

interface Scenario {
  id: string;
  /** Grove's e2e workload. */
  file: string;
  /** The PodCliqueSet's name in the file. */
  pcs: string;
  /** Changes to the adapted document (resources, a topology name). */
  edit?: (doc: Record<string, unknown>) => void;
  pods: number;
  /** Pods bound in the end: all of them, or none for a gang that can never fit. */
  bound: number;
  packed: Packed[];
  /** Every gang of the PodCliqueSet, by name, and who places it. */
  gangs: Record<string, Holder>;
  /** The PodGang specs as the scenario expects them (the constraint keys Grove's e2e checks on KAI's PodGroups). */
  gangSpecs?: (gangs: Map<string, PodGang>) => void;
  /** With `bound: 0`: what copse's planner says (native gangs get kube-scheduler's words). */
  waitingReason?: RegExp;
}

const clique = (p: Pod) => p.metadata?.labels?.[LABEL_PODCLIQUE];
const all = (p: Pod) => p.metadata?.labels?.[LABEL_PART_OF];
const pcsReplica = (p: Pod) => p.metadata?.labels?.[LABEL_PCS_REPLICA_INDEX];
/** The scaling-group replica of a pod (`<pcs>-<i>-<group>-<j>`); standalone pods have none. */
const groupReplica = (p: Pod) => {
  const l = p.metadata?.labels;
  return l?.[LABEL_PCSG] ? `${l[LABEL_PCSG]}-${l[LABEL_PCSG_REPLICA_INDEX] ?? ''}` : undefined;
};
const ofCliques = (re: RegExp) => (p: Pod) => (re.test(clique(p) ?? '') ? clique(p) : undefined);

/** The gang's own constraint and each topology-constraint group's and pod group's, as `name: key` lines. */
function constraintKeys(g: PodGang): string[] {
  const pack = (c: { packConstraint?: { required?: string; preferred?: string } } | undefined) =>
    c?.packConstraint ? `${c.packConstraint.required ?? '-'}|${c.packConstraint.preferred ?? '-'}` : 'none';
  return [
    `gang: ${pack(g.spec.topologyConstraint)}`,
    ...(g.spec.topologyConstraintGroupConfigs ?? []).map((c) => `group ${c.name}: ${pack(c.topologyConstraint)}`),
    ...g.spec.podgroups.map((pg) => `podgroup ${pg.name}: ${pack(pg.topologyConstraint)}`),
  ];
}

const PREFERRED = { extender: /^placed through copse's extender: .*(has preferred packing|packs by two keys)/ };
const RACK = KEY_OF.rack;
const BLOCK = KEY_OF.block;
const HOST = KEY_OF.host;

/** Keys of the two extra bindings of TAS17: `block` means another node label on each segment. */
const H100_BLOCK = 'e2e.copse.io/h100-block';
const GB200_BLOCK = 'e2e.copse.io/gb200-block';

function setRequests(doc: Record<string, unknown>, memory: string): void {
  const cliques = (doc.spec as { template: { cliques: { spec: { podSpec: { containers: { resources?: { requests?: Record<string, string> } }[] } } }[] } }).template.cliques;
  for (const c of cliques) for (const ct of c.spec.podSpec.containers) ct.resources = { requests: { memory } };
}

export function topologyScenarios(cluster: ClusterBackend, kubeconfig: string): void {
  const client = testClient(kubeconfig);
  const present = groveSamplesPresent({ suite: `topology scheduling (${cluster}): Grove TAS workloads`, suites: 1, sub: 'e2e-workloads' });
  const workloads = present ? podCliqueSetDocs('e2e-workloads') : [];
  const suffix = uniqueSuffix();
  const topology = `tas-${suffix}`;
  const h100 = `tas-h100-${suffix}`;
  const gb200 = `tas-gb200-${suffix}`;

  const SCENARIOS: Scenario[] = [
    {
      id: 'TAS3',
      file: 'tas-sl-pcs-only.yaml',
      pcs: 'tas-sl-pcs-only',
      pods: 4,
      bound: 4,
      packed: [{ level: 'rack', by: all, groups: 1 }],
      gangs: { 'tas-sl-pcs-only-0': 'native' },
      // The PodCliqueSet's rack on the gang only: no constraint per scaling-group replica or clique.
      gangSpecs: (g) =>
        expect(constraintKeys(g.get('tas-sl-pcs-only-0') as PodGang)).toEqual([
          `gang: ${RACK}|-`,
          'podgroup tas-sl-pcs-only-0-router: none',
          'podgroup tas-sl-pcs-only-0-workers-0-worker: none',
          'podgroup tas-sl-pcs-only-0-workers-1-worker: none',
        ]),
    },
    {
      id: 'TAS4',
      file: 'tas-sl-pcsg-only.yaml',
      pcs: 'tas-sl-pcsg-only',
      pods: 4,
      bound: 4,
      packed: [{ level: 'rack', by: groupReplica, groups: 2 }],
      gangs: { 'tas-sl-pcsg-only-0': 'native' },
      // One rack per scaling-group replica, the router unconstrained.
      gangSpecs: (g) =>
        expect(constraintKeys(g.get('tas-sl-pcsg-only-0') as PodGang)).toEqual([
          'gang: none',
          `group tas-sl-pcsg-only-0-workers-0: ${RACK}|-`,
          `group tas-sl-pcsg-only-0-workers-1: ${RACK}|-`,
          'podgroup tas-sl-pcsg-only-0-router: none',
          'podgroup tas-sl-pcsg-only-0-workers-0-worker: none',
          'podgroup tas-sl-pcsg-only-0-workers-1-worker: none',
        ]),
    },
    {
      id: 'TAS5',
      file: 'tas-host-level.yaml',
      pcs: 'tas-host-level',
      pods: 2,
      bound: 2,
      packed: [{ level: 'host', by: clique, groups: 1 }],
      gangs: { 'tas-host-level-0': 'native' },
    },
    {
      // copse: TAS5's shape with pods of 600Mi on 1Gi hosts. Two would fit on two hosts, never on one.
      id: 'TAS5 insufficient',
      file: 'tas-host-level.yaml',
      pcs: 'tas-host-big',
      edit: (doc) => setRequests(doc, '600Mi'),
      pods: 2,
      bound: 0,
      packed: [],
      gangs: { 'tas-host-big-0': 'native' },
      waitingReason: /podgroup tas-host-big-0-worker needs 1200Mi memory in one kubernetes\.io\/hostname; the largest free host, \S+, has \d+(Mi|Gi)$/,
    },
    {
      id: 'TAS6',
      file: 'tas-standalone-pclq-only-pcs-zone.yaml',
      pcs: 'tas-standalone-pclq',
      pods: 4,
      bound: 4,
      packed: [{ level: 'zone', by: all, groups: 1 }],
      gangs: { 'tas-standalone-pclq-0': 'native' },
      gangSpecs: (g) => expect(constraintKeys(g.get('tas-standalone-pclq-0') as PodGang)).toEqual([`gang: ${KEY_OF.zone}|-`, 'podgroup tas-standalone-pclq-0-worker: none']),
    },
    {
      id: 'TAS7',
      file: 'tas-no-constraint.yaml',
      pcs: 'tas-no-constraint',
      pods: 4,
      bound: 4,
      packed: [],
      gangs: { 'tas-no-constraint-0': 'native' },
      gangSpecs: (g) =>
        expect(constraintKeys(g.get('tas-no-constraint-0') as PodGang)).toEqual([
          'gang: none',
          'podgroup tas-no-constraint-0-workers-0-worker: none',
          'podgroup tas-no-constraint-0-workers-1-worker: none',
        ]),
    },
    {
      id: 'TAS8',
      file: 'tas-hierarchy.yaml',
      pcs: 'tas-hierarchy',
      pods: 8,
      bound: 8,
      packed: [
        { level: 'block', by: all, groups: 1 },
        { level: 'rack', by: groupReplica, groups: 2 },
        { level: 'host', by: clique, groups: 4 },
      ],
      gangs: { 'tas-hierarchy-0': 'native' },
      gangSpecs: (g) =>
        expect(constraintKeys(g.get('tas-hierarchy-0') as PodGang)).toEqual([
          `gang: ${BLOCK}|-`,
          `group tas-hierarchy-0-inference-group-0: ${RACK}|-`,
          `group tas-hierarchy-0-inference-group-1: ${RACK}|-`,
          `podgroup tas-hierarchy-0-inference-group-0-prefill: ${HOST}|-`,
          `podgroup tas-hierarchy-0-inference-group-0-decode: ${HOST}|-`,
          `podgroup tas-hierarchy-0-inference-group-1-prefill: ${HOST}|-`,
          `podgroup tas-hierarchy-0-inference-group-1-decode: ${HOST}|-`,
        ]),
    },
    {
      id: 'TAS9',
      file: 'tas-pcs-pclq.yaml',
      pcs: 'tas-pcs-pclq',
      pods: 2,
      bound: 2,
      packed: [
        { level: 'block', by: all, groups: 1 },
        { level: 'host', by: clique, groups: 1 },
      ],
      gangs: { 'tas-pcs-pclq-0': 'native' },
      gangSpecs: (g) => expect(constraintKeys(g.get('tas-pcs-pclq-0') as PodGang)).toEqual([`gang: ${BLOCK}|-`, `podgroup tas-pcs-pclq-0-worker: ${HOST}|-`]),
    },
    {
      // The base gang holds scaling-group replica 0 (minAvailable 1), replicas 1 and 2 are scaled gangs,
      // each in a rack; all three share the replica's block (grove#648, which Grove leaves open).
      id: 'TAS10',
      file: 'tas-pcsg-scale.yaml',
      pcs: 'tas-pcsg-scale',
      pods: 6,
      bound: 6,
      packed: [
        { level: 'block', by: all, groups: 1 },
        { level: 'rack', by: groupReplica, groups: 3 },
      ],
      gangs: { 'tas-pcsg-scale-0': 'native', 'tas-pcsg-scale-0-inference-group-0': 'native', 'tas-pcsg-scale-0-inference-group-1': 'native' },
      gangSpecs: (g) => {
        expect(constraintKeys(g.get('tas-pcsg-scale-0') as PodGang)).toEqual([`gang: ${BLOCK}|-`, `group tas-pcsg-scale-0-inference-group-0: ${RACK}|-`, 'podgroup tas-pcsg-scale-0-inference-group-0-worker: none']);
        for (const j of [1, 2]) {
          expect(constraintKeys(g.get(`tas-pcsg-scale-0-inference-group-${j - 1}`) as PodGang)).toEqual([`gang: ${RACK}|-`, `podgroup tas-pcsg-scale-0-inference-group-${j}-worker: none`]);
        }
      },
    },
    {
      id: 'TAS11',
      file: 'tas-pcsg-pclq.yaml',
      pcs: 'tas-pcsg-pclq',
      pods: 4,
      bound: 4,
      packed: [
        { level: 'rack', by: groupReplica, groups: 2 },
        { level: 'host', by: clique, groups: 2 },
      ],
      gangs: { 'tas-pcsg-pclq-0': 'native' },
      gangSpecs: (g) =>
        expect(constraintKeys(g.get('tas-pcsg-pclq-0') as PodGang)).toEqual([
          'gang: none',
          `group tas-pcsg-pclq-0-workers-0: ${RACK}|-`,
          `group tas-pcsg-pclq-0-workers-1: ${RACK}|-`,
          `podgroup tas-pcsg-pclq-0-workers-0-worker: ${HOST}|-`,
          `podgroup tas-pcsg-pclq-0-workers-1-worker: ${HOST}|-`,
        ]),
    },
    {
      // 10 scaling-group replicas, minAvailable 3: the base gang holds 3, seven scaled gangs one each.
      id: 'TAS12',
      file: 'tas-large-scale.yaml',
      pcs: 'tas-large-scale',
      pods: 20,
      bound: 20,
      packed: [
        { level: 'block', by: all, groups: 1 },
        { level: 'host', by: clique, groups: 10 },
      ],
      gangs: Object.fromEntries([['tas-large-scale-0', 'native'], ...[0, 1, 2, 3, 4, 5, 6].map((j) => [`tas-large-scale-0-workers-${j}`, 'native'])]) as Record<string, Holder>,
      gangSpecs: (g) => expect(g.get('tas-large-scale-0')?.spec.podgroups.map((p) => p.name)).toEqual([0, 1, 2].map((j) => `tas-large-scale-0-workers-${j}-worker`)),
    },
    {
      id: 'TAS14',
      file: 'tas-multirep.yaml',
      pcs: 'tas-multirep',
      pods: 4,
      bound: 4,
      packed: [{ level: 'rack', by: pcsReplica, groups: 2 }],
      gangs: { 'tas-multirep-0': 'native', 'tas-multirep-1': 'native' },
    },
    {
      id: 'TAS15',
      file: 'tas-pcs-multi-pcsg.yaml',
      pcs: 'tas-pcs-multi-pcsg',
      pods: 10,
      bound: 10,
      packed: [
        { level: 'block', by: all, groups: 1 },
        { level: 'rack', by: groupReplica, groups: 4 },
      ],
      gangs: { 'tas-pcs-multi-pcsg-0': 'native', 'tas-pcs-multi-pcsg-0-decoder-0': 'native', 'tas-pcs-multi-pcsg-0-prefill-0': 'native' },
    },
    {
      // The same shape twice (file tas-pcs-multi-pcsg-multi-replica.yaml, renamed so both run at once):
      // each replica in a block of its own choosing, pworker on one host per scaling-group replica.
      id: 'TAS16',
      file: 'tas-pcs-multi-pcsg-multi-replica.yaml',
      pcs: 'tas-pcs-multi-pcsg-mr',
      pods: 20,
      bound: 20,
      packed: [
        { level: 'block', by: pcsReplica, groups: 2 },
        { level: 'rack', by: groupReplica, groups: 8 },
        { level: 'host', by: ofCliques(/-pworker$/), groups: 4 },
      ],
      gangs: Object.fromEntries(
        [0, 1].flatMap((i) => [`tas-pcs-multi-pcsg-mr-${i}`, `tas-pcs-multi-pcsg-mr-${i}-decoder-0`, `tas-pcs-multi-pcsg-mr-${i}-prefill-0`]).map((n) => [n, 'native']),
      ) as Record<string, Holder>,
    },
    {
      // Two bindings in which `block` is another node label, each present on one segment of the pool
      // only (Grove: H100 and GB200 nodes); each workload lands on its own segment.
      id: 'TAS17 h100',
      file: 'tas-multi-topology-h100.yaml',
      pcs: 'tas-h100-workload',
      edit: (doc) => renameTopology(doc, 'h100-topology', h100),
      pods: 2,
      bound: 2,
      packed: [{ level: 'block', by: all, groups: 1 }],
      gangs: { 'tas-h100-workload-0': 'native' },
      gangSpecs: (g) => expect(constraintKeys(g.get('tas-h100-workload-0') as PodGang)).toEqual([`gang: ${H100_BLOCK}|-`, 'podgroup tas-h100-workload-0-worker: none']),
    },
    {
      id: 'TAS17 gb200',
      file: 'tas-multi-topology-gb200.yaml',
      pcs: 'tas-gb200-workload',
      edit: (doc) => renameTopology(doc, 'gb200-topology', gb200),
      pods: 2,
      bound: 2,
      packed: [{ level: 'block', by: all, groups: 1 }],
      gangs: { 'tas-gb200-workload-0': 'native' },
      gangSpecs: (g) => expect(constraintKeys(g.get('tas-gb200-workload-0') as PodGang)).toEqual([`gang: ${GB200_BLOCK}|-`, 'podgroup tas-gb200-workload-0-worker: none']),
    },
    {
      // Preferred rack inside the required block (PodCliqueSet), preferred host on the scaling group and
      // the router: native groups take required keys only, so the extender places both gangs, and with
      // room in every rack the base gang gets one rack.
      id: 'TAS23',
      file: 'tas-preferred-pack.yaml',
      pcs: 'tas-preferred-pack',
      pods: 3,
      bound: 3,
      packed: [
        { level: 'block', by: all, groups: 1 },
        { level: 'rack', by: (p) => (p.metadata?.labels?.[LABEL_PODGANG] === 'tas-preferred-pack-0' ? 'base' : undefined), groups: 1 },
      ],
      gangs: { 'tas-preferred-pack-0': PREFERRED, 'tas-preferred-pack-0-workers-0': PREFERRED },
      gangSpecs: (g) => {
        expect(constraintKeys(g.get('tas-preferred-pack-0') as PodGang)).toEqual([
          `gang: ${BLOCK}|${RACK}`,
          `group tas-preferred-pack-0-workers-0: -|${HOST}`,
          `podgroup tas-preferred-pack-0-router: -|${HOST}`,
          'podgroup tas-preferred-pack-0-workers-0-worker: none',
        ]);
        expect(constraintKeys(g.get('tas-preferred-pack-0-workers-0') as PodGang)).toEqual([`gang: -|${HOST}`, 'podgroup tas-preferred-pack-0-workers-1-worker: none']);
      },
    },
  ];

  function renameTopology(doc: Record<string, unknown>, from: string, to: string): void {
    const json = JSON.stringify(doc.spec).replaceAll(`"topologyName":${JSON.stringify(from)}`, `"topologyName":${JSON.stringify(to)}`);
    doc.spec = JSON.parse(json) as unknown;
  }

  function workload(file: string): Record<string, unknown> {
    const found = workloads.find((w) => w.file.endsWith(`/${file}`));
    if (!found) throw new Error(`Grove e2e workload ${file} not found`);
    return found.doc;
  }

  describe.skipIf(!present)(`topology scheduling, ${cluster} backend (Grove TAS3-TAS23 on a pool of 2 blocks × 2 racks × 2 hosts)`, () => {
    let pool: Pool;
    let ns: { name: string; cleanup: () => Promise<void> };
    const nodes = new Map<string, Node>();

    beforeAll(async () => {
      // 1Gi per host: every workload of the table fits at once, in any rack, with room to spare.
      pool = await createPool(client, `tas-${suffix}`, { blocks: 2, racksPerBlock: 2, hostsPerRack: 2, memory: '1Gi' });
      ns = await createNamespace(client, 'tas');
      // TAS17's segments: block 0 carries the H100 key, block 1 the GB200 key.
      await Promise.all(
        pool.nodes.map((n) => client.patch(RESOURCES.nodes, n, undefined, { metadata: { labels: { [pool.blockOf(n).endsWith('-b0') ? H100_BLOCK : GB200_BLOCK]: pool.blockOf(n) } } })),
      );
      await Promise.all([
        client.create(RESOURCES.clusterTopologyBindings, clusterTopology(topology, LOCAL_LEVELS) as never),
        client.create(RESOURCES.clusterTopologyBindings, clusterTopology(h100, [['block', H100_BLOCK], ['host', HOST]]) as never),
        client.create(RESOURCES.clusterTopologyBindings, clusterTopology(gb200, [['block', GB200_BLOCK], ['host', HOST]]) as never),
      ]);
      for (const n of (await client.list(RESOURCES.nodes, { labelSelector: `e2e.copse.io/pool=${pool.name}` })).items) nodes.set(n.metadata?.name ?? '', n);
      await Promise.all(
        SCENARIOS.map((s) => {
          const doc = pool.adapt(workload(s.file), { namespace: ns.name, topologyName: topology });
          (doc.metadata as Record<string, unknown>).name = s.pcs;
          s.edit?.(doc);
          return client.create(RESOURCES.podCliqueSets, doc as unknown as PodCliqueSet);
        }),
      );
    });
    afterAll(async () => {
      await ns?.cleanup();
      await pool?.cleanup();
      await Promise.all([topology, h100, gb200].map((t) => client.delete(RESOURCES.clusterTopologyBindings, t, undefined)));
    });

    const podsOf = async (pcs: string) => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=${pcs}`)).filter((p) => !p.metadata?.deletionTimestamp);

    /** The value of `level`'s key on the node a pod is bound to, read from the node kube-apiserver has. */
    const domainOf = (pod: Pod, key: string) => nodes.get(pod.spec?.nodeName ?? '')?.metadata?.labels?.[key];

    it.each(SCENARIOS)('$id ($file): every pod set in one domain of its level, each gang placed whole by the backend that can express it', async (s) => {
      const pods = await eventually(
        `${s.bound} of ${s.pods} pods of ${s.pcs} bound`,
        async () => {
          const now = await podsOf(s.pcs);
          return now.length === s.pods && boundPods(now).length === s.bound ? now : undefined;
        },
        90_000,
      );

      await checkGangs(s, pods);
      checkPacked(s, pods);
      if (s.bound === 0) await checkWaiting(s);
    });

    /** Exactly the gangs the scenario names, with the specs it expects, each held by its backend. */
    async function checkGangs(s: Scenario, pods: readonly Pod[]): Promise<void> {
      const gangs = new Map((await listIn(client, RESOURCES.podGangs, ns.name, `${LABEL_PART_OF}=${s.pcs}`)).map((g) => [g.metadata.name ?? '', g]));
      expect([...gangs.keys()].sort()).toEqual(Object.keys(s.gangs).sort());
      expect([...new Set(pods.map((p) => p.metadata?.labels?.[LABEL_PODGANG]))].sort()).toEqual(Object.keys(s.gangs).sort());
      s.gangSpecs?.(gangs);
      for (const [gang, holder] of Object.entries(s.gangs)) await expectHeldBy(gang, holder, pods);
    }

    /** Every group of every packed level in one domain, read from the labels of the nodes the pods are bound to. */
    function checkPacked(s: Scenario, pods: readonly Pod[]): void {
      for (const { level, by, groups } of s.packed) {
        const key = level === 'block' && s.id.startsWith('TAS17') ? (s.id.endsWith('h100') ? H100_BLOCK : GB200_BLOCK) : KEY_OF[level];
        const byGroup = new Map<string, { node: string; domain: string | undefined }[]>();
        for (const p of pods) {
          const g = by(p);
          if (g !== undefined) byGroup.set(g, [...(byGroup.get(g) ?? []), { node: p.spec?.nodeName ?? '', domain: domainOf(p, key) }]);
        }
        expect(byGroup.size, `${level} groups of ${s.pcs}`).toBe(groups);
        for (const [g, placed] of byGroup) {
          // Every node has the key, and one value of it holds the whole group.
          expect(placed.every((x) => x.domain !== undefined), `${g}: nodes ${placed.map((x) => x.node).join(', ')} all carry ${key}`).toBe(true);
          expect(new Set(placed.map((x) => x.domain)).size, `${g} in one ${level} (${key}): ${placed.map((x) => `${x.node}=${x.domain}`).join(', ')}`).toBe(1);
        }
      }
      if (s.id.startsWith('TAS17')) {
        // Each workload on its own segment: nodes without the binding's block key are not in any block.
        const segment = s.id.endsWith('h100') ? H100_BLOCK : GB200_BLOCK;
        expect(pods.map((p) => nodes.get(p.spec?.nodeName ?? '')?.metadata?.labels?.[segment] !== undefined)).toEqual(pods.map(() => true));
      }
    }

    /** Wholly pending, and the gang says why: the planner's words, or kube-scheduler's for a native gang. */
    async function checkWaiting(s: Scenario): Promise<void> {
      const [gang] = Object.keys(s.gangs);
      const native = cluster === 'native' && s.gangs[gang ?? ''] === 'native';
      const pattern = native ? /\. kube-scheduler \(native gang scheduling\), PodGroup \S+: pod group is unschedulable/ : (s.waitingReason as RegExp);
      let last = '';
      await eventually(`PodGang ${gang} Scheduled=False matching ${pattern}`, async () => {
        const c = (await client.get(RESOURCES.podGangs, gang ?? '', ns.name)).status?.conditions?.find((x) => x.type === 'Scheduled');
        last = `${c?.status ?? 'no condition'}: ${c?.message ?? ''}`;
        return c?.status === 'False' && pattern.test(c.message ?? '') ? c : undefined;
      }).catch((e: unknown) => {
        throw new Error(`${String(e)}; last seen ${last}`);
      });
      expect(boundPods(await podsOf(s.pcs))).toEqual([]);
    }

    // Grove's TAS20 (tas-topology-condition.yaml, zero replicas): the condition follows the binding
    // while the workload lives; a gang built while the binding is gone carries no constraint.
    it('TAS20: TopologyLevelsUnavailable follows the binding: gone, back without the level, back whole', async () => {
      const tas20 = `tas20-${suffix}`;
      const levels = (...domains: Level[]) => LOCAL_LEVELS.filter(([d]) => (domains as string[]).includes(d));
      const condition = (want: [string, string, string]) =>
        eventually(`tas-topology-condition TopologyLevelsUnavailable=${want.join('/')}`, async () => {
          const c = (await client.get(RESOURCES.podCliqueSets, 'tas-topology-condition', ns.name)).status?.conditions?.find((x) => x.type === 'TopologyLevelsUnavailable');
          return c && c.status === want[0] && c.reason === want[1] && c.message === want[2] ? c : undefined;
        });
      await client.create(RESOURCES.clusterTopologyBindings, clusterTopology(tas20, levels('zone', 'rack', 'host')) as never);
      try {
        const doc = pool.adapt(workload('tas-topology-condition.yaml'), { namespace: ns.name });
        renameTopology(doc, 'tas20-topology', tas20);
        await client.create(RESOURCES.podCliqueSets, doc as unknown as PodCliqueSet);
        await condition(['False', 'AllClusterTopologyLevelsAvailable', 'All topology levels are available']);

        await client.delete(RESOURCES.clusterTopologyBindings, tas20, undefined);
        await condition(['Unknown', 'ClusterTopologyNotFound', 'ClusterTopologyBinding resource not found']);
        // Scaled up meanwhile: the gang is built without the constraint it cannot resolve, and without the binding's name.
        await client.patch(RESOURCES.podCliqueSets, 'tas-topology-condition', ns.name, { spec: { replicas: 1 } }, { subresource: 'scale' });
        const gang = await eventually('PodGang tas-topology-condition-0 with its pods', async () => {
          const g = await client.tryGet(RESOURCES.podGangs, 'tas-topology-condition-0', ns.name);
          return g && g.spec.podgroups.every((pg) => pg.podReferences.length === 2) ? g : undefined;
        });
        expect(constraintKeys(gang)).toEqual(['gang: none', 'podgroup tas-topology-condition-0-worker: none']);
        expect(gang.metadata.annotations?.['grove.io/topology-name']).toBeUndefined();
        await client.patch(RESOURCES.podCliqueSets, 'tas-topology-condition', ns.name, { spec: { replicas: 0 } }, { subresource: 'scale' });

        // Back without the rack level (copse: the True case of §5.4), then with it.
        await client.create(RESOURCES.clusterTopologyBindings, clusterTopology(tas20, levels('zone', 'host')) as never);
        await condition(['True', 'ClusterTopologyLevelsUnavailable', 'Unavailable topology domains: [rack]']);
        await client.patch(RESOURCES.clusterTopologyBindings, tas20, undefined, { spec: { levels: levels('zone', 'rack', 'host').map(([domain, key]) => ({ domain, key })) } });
        await condition(['False', 'AllClusterTopologyLevelsAvailable', 'All topology levels are available']);
      } finally {
        await client.delete(RESOURCES.clusterTopologyBindings, tas20, undefined);
      }
    });

    /**
     * Which backend holds `gang`: on a native cluster its SchedulingBackend condition names it, a native
     * gang has its Workload and its minimum joins its PodGroups, an extender gang has neither; on an
     * extender cluster there is no such condition and no pod has a scheduling group.
     */
    async function expectHeldBy(gang: string, holder: Holder, pcsPods: readonly Pod[]): Promise<void> {
      const pods = pcsPods.filter((p) => p.metadata?.labels?.[LABEL_PODGANG] === gang);
      expect(pods.length, `pods of ${gang}`).toBeGreaterThan(0);
      if (cluster === 'extender') {
        const g = await client.get(RESOURCES.podGangs, gang, ns.name);
        expect(g.status?.conditions?.find((c) => c.type === 'SchedulingBackend')).toBeUndefined();
        expect(pods.map(schedulingGroupOf).filter(Boolean)).toEqual([]);
        return;
      }
      const cond = await eventually(`PodGang ${gang} SchedulingBackend`, async () => (await client.get(RESOURCES.podGangs, gang, ns.name)).status?.conditions?.find((c) => c.type === 'SchedulingBackend'));
      if (holder === 'native') {
        expect(cond).toMatchObject({ status: 'True', reason: 'Native', message: NATIVE_REASON });
        expect((await client.get(NATIVE_RESOURCES.workloads, gang, ns.name)).spec.controllerRef).toEqual({ apiGroup: 'scheduler.grove.io', kind: 'PodGang', name: gang });
        expect(pods.some((p) => schedulingGroupOf(p) !== undefined)).toBe(true);
      } else {
        expect(cond).toMatchObject({ status: 'True', reason: 'Extender' });
        expect(cond?.message).toMatch(holder.extender);
        expect(await client.tryGet(NATIVE_RESOURCES.workloads, gang, ns.name)).toBeUndefined();
        expect(pods.map(schedulingGroupOf).filter(Boolean)).toEqual([]);
      }
    }
  });
}

/**
 * KAI's Topology CRD as KAI ships it (kai.scheduler/v1alpha1 Topology, cluster-scoped, levels of node
 * labels, immutable), reduced to the schema: the e2e installs it to stand for an installed KAI.
 */
export const KAI_TOPOLOGY_CRD_OBJECT = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'topologies.kai.scheduler' },
  spec: {
    group: 'kai.scheduler',
    names: { kind: 'Topology', listKind: 'TopologyList', plural: 'topologies', singular: 'topology' },
    scope: 'Cluster',
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            required: ['spec'],
            properties: {
              spec: {
                type: 'object',
                required: ['levels'],
                properties: {
                  levels: {
                    type: 'array',
                    minItems: 1,
                    maxItems: 16,
                    'x-kubernetes-list-type': 'atomic',
                    'x-kubernetes-validations': [{ message: 'field is immutable', rule: 'self == oldSelf' }],
                    items: { type: 'object', required: ['nodeLabel'], properties: { nodeLabel: { type: 'string', minLength: 1, maxLength: 316 } } },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/**
 * The ClusterTopologyBinding controller against KAI's Topology CRD (installed by the test; KAI itself
 * is not here): Grove's TAS1 and TAS19 and the drift condition. Backend-independent, so it runs on the
 * extender cluster only.
 */
export function clusterTopologyControllerScenarios(kubeconfig: string): void {
  const client = testClient(kubeconfig);
  const suffix = uniqueSuffix();
  const zone: [string, string] = ['zone', KEY_OF.zone];
  const rack: [string, string] = ['rack', KEY_OF.rack];
  const host: [string, string] = ['host', KEY_OF.host];

  describe('ClusterTopologyBinding controller with KAI Topology CRD installed (grove-compat §5.3)', () => {
    const made: string[] = [];
    beforeAll(async () => {
      await client.create(RESOURCES.customResourceDefinitions, KAI_TOPOLOGY_CRD_OBJECT as never);
      await eventually('KAI Topology CRD established', async () =>
        (await client.get(RESOURCES.customResourceDefinitions, 'topologies.kai.scheduler')).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'),
      );
    });
    afterAll(async () => {
      await Promise.all(made.map((n) => client.delete(RESOURCES.clusterTopologyBindings, n, undefined)));
      await client.delete(RESOURCES.customResourceDefinitions, 'topologies.kai.scheduler', undefined);
    });

    async function binding(name: string, levels: [string, string][], refs?: { schedulerName: string; topologyReference: string }[]) {
      made.push(name);
      const obj = clusterTopology(name, levels) as { spec: Record<string, unknown> };
      if (refs) obj.spec.schedulerTopologyBindings = refs;
      return client.create(RESOURCES.clusterTopologyBindings, obj as never);
    }
    const statusOf = (name: string, want: (s: NonNullable<ClusterTopologyBinding['status']>) => boolean) =>
      eventually(`ClusterTopologyBinding ${name} status`, async () => {
        const s = (await client.get(RESOURCES.clusterTopologyBindings, name)).status;
        return s && want(s) ? s : undefined;
      });
    const driftOf = (s: NonNullable<ClusterTopologyBinding['status']>) => {
      const c = s.conditions?.find((x) => x.type === 'SchedulerTopologyDrift');
      return c ? `${c.status}/${c.reason}: ${c.message}` : 'none';
    };
    const eventsOf = async (name: string) =>
      (await listIn(client, RESOURCES.events, 'default')).filter((e) => e.involvedObject?.kind === 'ClusterTopologyBinding' && e.involvedObject.name === name).map((e) => `${e.type} ${e.reason}: ${e.message}`).sort();

    it('TAS1/TAS19: a Topology named like the binding, with its keys, owned by it; new levels recreate it; InSync throughout', async () => {
      const name = `kai-${suffix}`;
      const ctb = await binding(name, [zone, rack]);
      const topo = await eventually(`KAI Topology ${name}`, () => client.tryGet(RESOURCES.kaiTopologies, name));
      expect(topo.spec?.levels).toEqual([{ nodeLabel: KEY_OF.zone }, { nodeLabel: KEY_OF.rack }]);
      expect(topo.metadata.ownerReferences).toEqual([{ apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', name, uid: ctb.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      const first = await statusOf(name, (s) => s.observedGeneration === 1 && driftOf(s).startsWith('False'));
      expect(driftOf(first)).toBe('False/InSync: All scheduler backend topologies are in sync');
      expect(first.schedulerTopologyStatuses).toEqual([{ schedulerName: 'kai-scheduler', topologyReference: name, inSync: true }]);

      // KAI's levels are immutable: a third level means a new Topology.
      await client.patch(RESOURCES.clusterTopologyBindings, name, undefined, { spec: { levels: [zone, rack, host].map(([domain, key]) => ({ domain, key })) } });
      const next = await eventually(`KAI Topology ${name} with 3 levels`, async () => {
        const t = await client.tryGet(RESOURCES.kaiTopologies, name);
        return t?.spec?.levels?.length === 3 ? t : undefined;
      });
      expect(next.metadata.uid).not.toBe(topo.metadata.uid);
      expect(next.spec?.levels).toEqual([{ nodeLabel: KEY_OF.zone }, { nodeLabel: KEY_OF.rack }, { nodeLabel: KEY_OF.host }]);
      const second = await statusOf(name, (s) => s.observedGeneration === 2);
      expect(driftOf(second)).toBe('False/InSync: All scheduler backend topologies are in sync');
      expect((next as { metadata: { managedFields?: { manager?: string }[] } }).metadata.managedFields?.map((m) => m.manager)).toEqual(['copse-topology']);
      await eventually(`events of ${name}`, async () => {
        const ev = await eventsOf(name);
        return ev.length === 3 ? ev : undefined;
      }).then((ev) =>
        expect(ev).toEqual([`Normal BackendTopologyCreated: KAI Topology ${name} created`, `Normal BackendTopologyRecreated: KAI Topology ${name} recreated with the new levels`, 'Normal TopologyInSync: All scheduler backend topologies are in sync']),
      );

      // The binding goes, and its Topology with it (garbage collection).
      await client.delete(RESOURCES.clusterTopologyBindings, name, undefined);
      await eventually(`KAI Topology ${name} gone`, async () => (await client.tryGet(RESOURCES.kaiTopologies, name)) === undefined || undefined, 60_000);
    });

    it('a Topology of that name copse did not create is never adopted: Drift, a Warning, the Topology untouched', async () => {
      const name = `kai-foreign-${suffix}`;
      await client.create(RESOURCES.kaiTopologies, { apiVersion: 'kai.scheduler/v1alpha1', kind: 'Topology', metadata: { name }, spec: { levels: [{ nodeLabel: KEY_OF.rack }] } });
      try {
        await binding(name, [zone, rack]);
        const s = await statusOf(name, (x) => driftOf(x) !== 'none');
        expect(driftOf(s)).toBe('True/Drift: One or more scheduler backend topologies have drifted');
        expect(s.schedulerTopologyStatuses).toEqual([
          { schedulerName: 'kai-scheduler', topologyReference: name, inSync: false, message: `KAI Topology ${name} is not owned by ClusterTopologyBinding ${name}; copse does not adopt a Topology it did not create` },
        ]);
        await eventually(`Warning on ${name}`, async () => (await eventsOf(name)).includes('Warning TopologyDriftDetected: One or more scheduler backend topologies have drifted') || undefined);
        const t = await client.get(RESOURCES.kaiTopologies, name);
        expect([t.spec?.levels, t.metadata.ownerReferences]).toEqual([[{ nodeLabel: KEY_OF.rack }], undefined]);
      } finally {
        await client.delete(RESOURCES.kaiTopologies, name, undefined);
      }
    });

    it('a kai-scheduler entry is admitted while KAI is installed and only compared: InSync, then Drift when the levels part, the Topology never written', async () => {
      const name = `kai-ext-${suffix}`;
      const ext = `ext-${suffix}`;
      await client.create(RESOURCES.kaiTopologies, { apiVersion: 'kai.scheduler/v1alpha1', kind: 'Topology', metadata: { name: ext }, spec: { levels: [{ nodeLabel: KEY_OF.zone }, { nodeLabel: KEY_OF.rack }] } });
      try {
        await binding(name, [zone, rack], [{ schedulerName: 'kai-scheduler', topologyReference: ext }]);
        const s = await statusOf(name, (x) => x.observedGeneration === 1 && driftOf(x) !== 'none');
        expect(driftOf(s)).toBe('False/InSync: All scheduler backend topologies are in sync');
        expect(s.schedulerTopologyStatuses).toEqual([{ schedulerName: 'kai-scheduler', topologyReference: ext, inSync: true, schedulerBackendTopologyObservedGeneration: 1 }]);
        // Externally managed: no Topology of the binding's own name is made.
        expect(await client.tryGet(RESOURCES.kaiTopologies, name)).toBeUndefined();

        await client.patch(RESOURCES.clusterTopologyBindings, name, undefined, { spec: { levels: [zone, rack, host].map(([domain, key]) => ({ domain, key })) } });
        const drifted = await statusOf(name, (x) => x.observedGeneration === 2);
        expect(driftOf(drifted)).toBe('True/Drift: One or more scheduler backend topologies have drifted');
        expect(drifted.schedulerTopologyStatuses).toEqual([
          { schedulerName: 'kai-scheduler', topologyReference: ext, inSync: false, schedulerBackendTopologyObservedGeneration: 1, message: 'level count mismatch: ClusterTopologyBinding has 3 levels, KAI Topology has 2' },
        ]);
        const t = await client.get(RESOURCES.kaiTopologies, ext);
        expect([t.metadata.generation, t.spec?.levels?.length, t.metadata.ownerReferences]).toEqual([1, 2, undefined]);
      } finally {
        await client.delete(RESOURCES.kaiTopologies, ext, undefined);
      }
    });

    it("an entry naming copse's own backend (no backend object) is Unknown/TopologyNotFound; without KAI only that entry is left", async () => {
      const name = `kai-ref-${suffix}`;
      await binding(name, [zone, rack], [{ schedulerName: 'default-scheduler', topologyReference: 'copse' }]);
      const notAvailable = { schedulerName: 'default-scheduler', topologyReference: 'copse', inSync: false, message: 'scheduler backend "default-scheduler" is not available for topology management' };
      const s = await statusOf(name, (x) => (x.schedulerTopologyStatuses ?? []).length === 2);
      expect(driftOf(s)).toBe('Unknown/TopologyNotFound: One or more referenced scheduler backends are unavailable for topology management');
      expect(s.schedulerTopologyStatuses).toEqual([{ schedulerName: 'kai-scheduler', topologyReference: name, inSync: true }, notAvailable]);

      // KAI goes away (its CRD is deleted): the binding keeps only the entry it names.
      await client.delete(RESOURCES.customResourceDefinitions, 'topologies.kai.scheduler', undefined);
      const after = await statusOf(name, (x) => (x.schedulerTopologyStatuses ?? []).length === 1);
      expect(after.schedulerTopologyStatuses).toEqual([notAvailable]);
      expect(driftOf(after)).toMatch(/^Unknown\/TopologyNotFound/);

      // Without KAI, admission refuses an entry for it, as Grove does for a backend not enabled.
      const refused = clusterTopology(`kai-gone-${suffix}`, [zone, rack]) as { spec: Record<string, unknown> };
      refused.spec.schedulerTopologyBindings = [{ schedulerName: 'kai-scheduler', topologyReference: 'gb200' }];
      await expect(client.create(RESOURCES.clusterTopologyBindings, refused as never)).rejects.toThrow(
        'spec.schedulerTopologyBindings[0].schedulerName: Invalid value: "kai-scheduler": scheduler backend is not enabled in Grove',
      );
    });
  });
}
