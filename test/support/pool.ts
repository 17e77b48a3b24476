// A private pool of simulated nodes for one e2e file: its own label and taint, so the file can cordon,
// fill and starve nodes without touching what other files schedule on the shared local cluster.
// Grove's workloads are adapted to the pool the way Grove's e2e adapts them to its agent nodes:
// node affinity and a toleration for the pool, and the default scheduler instead of KAI.
import type { Node, Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { eventually } from './kube.js';

export const POOL_LABEL = 'e2e.copse.io/pool';
const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

export interface PoolShape {
  /** Racks per block; blocks default to 1. */
  blocks?: number;
  racksPerBlock: number;
  hostsPerRack: number;
  cpu?: string;
  memory: string;
  gpus?: number;
}

export interface Pool {
  name: string;
  /** Node names, in rack order: `<pool>-b<b>-r<r>-h<h>`. */
  nodes: string[];
  rackOf(node: string): string;
  blockOf(node: string): string;
  cordon(names: readonly string[]): Promise<void>;
  uncordon(names: readonly string[]): Promise<void>;
  /** Adapt a Grove workload (PodCliqueSet document) to this pool. */
  adapt(doc: Record<string, unknown>, opts?: { namespace?: string; topologyName?: string }): Record<string, unknown>;
  cleanup(): Promise<void>;
}

function nodeFor(pool: string, b: number, r: number, h: number, shape: PoolShape): Node {
  const name = `${pool}-b${b}-r${r}-h${h}`;
  const resources: Record<string, string> = { cpu: shape.cpu ?? '8', memory: shape.memory, pods: '110', 'ephemeral-storage': '100Gi' };
  if (shape.gpus) resources['nvidia.com/gpu'] = String(shape.gpus);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        [POOL_LABEL]: pool,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'topology.kubernetes.io/zone': `${pool}-z0`,
        'topology.copse.io/block': `${pool}-b${b}`,
        'topology.copse.io/rack': `${pool}-b${b}-r${r}`,
      },
    },
    spec: { taints: [{ key: POOL_LABEL, value: pool, effect: 'NoSchedule' }] },
    status: { allocatable: { ...resources }, capacity: { ...resources } },
  };
}

/** Walk every podSpec of a PodCliqueSet document (cliques only: that is where Grove keeps them). */
function podSpecsOf(doc: Record<string, unknown>): Record<string, unknown>[] {
  const template = (doc.spec as { template?: { cliques?: { spec?: { podSpec?: Record<string, unknown> } }[] } } | undefined)?.template;
  return (template?.cliques ?? []).map((c) => c.spec?.podSpec).filter((s): s is Record<string, unknown> => s !== undefined);
}

export async function createPool(client: DynamicClient, name: string, shape: PoolShape): Promise<Pool> {
  const nodes: Node[] = [];
  for (let b = 0; b < (shape.blocks ?? 1); b++) {
    for (let r = 0; r < shape.racksPerBlock; r++) {
      for (let h = 0; h < shape.hostsPerRack; h++) nodes.push(nodeFor(name, b, r, h, shape));
    }
  }
  await Promise.all(nodes.map((n) => client.create(RESOURCES.nodes, n)));
  const names = nodes.map((n) => n.metadata?.name ?? '');
  await eventually(
    `${names.length} nodes of pool ${name} Ready`,
    async () => {
      const listed = (await client.list(RESOURCES.nodes, { labelSelector: `${POOL_LABEL}=${name}` })).items;
      return listed.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === names.length || undefined;
    },
    60_000,
  );
  const labelOf = (node: string, key: string): string => nodes.find((n) => n.metadata?.name === node)?.metadata?.labels?.[key] ?? '';
  const setUnschedulable = async (list: readonly string[], unschedulable: boolean): Promise<void> => {
    await Promise.all(list.map((n) => client.patch(RESOURCES.nodes, n, undefined, { spec: { unschedulable } })));
  };
  return {
    name,
    nodes: names,
    rackOf: (n) => labelOf(n, 'topology.copse.io/rack'),
    blockOf: (n) => labelOf(n, 'topology.copse.io/block'),
    cordon: (list) => setUnschedulable(list, true),
    uncordon: (list) => setUnschedulable(list, false),
    adapt(doc, opts = {}) {
      const copy = structuredClone(doc);
      const meta = (copy.metadata ?? {}) as Record<string, unknown>;
      copy.metadata = { ...meta, ...(opts.namespace ? { namespace: opts.namespace } : {}) };
      for (const spec of podSpecsOf(copy)) {
        delete spec.schedulerName;
        spec.affinity = {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [name] }] }] } },
        };
        spec.tolerations = [{ key: POOL_LABEL, operator: 'Equal', value: name, effect: 'NoSchedule' }];
      }
      if (opts.topologyName) {
        const json = JSON.stringify(copy).replaceAll('"topologyName":"grove-topology"', `"topologyName":${JSON.stringify(opts.topologyName)}`);
        return JSON.parse(json) as Record<string, unknown>;
      }
      return copy;
    },
    async cleanup() {
      await Promise.all(names.map((n) => client.delete(RESOURCES.nodes, n, undefined)));
    },
  };
}

/**
 * A PodCliqueSet of one clique `w` with `pods` pods of 80Mi, all of them its minimum, adapted to `pool`:
 * on nodes of 100Mi each pod takes a node, so the gang goes in whole or not at all.
 */
export function wholeGang(pool: Pool, name: string, namespace: string, pods: number): PodCliqueSet {
  const doc = {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      template: {
        cliques: [
          {
            name: 'w',
            spec: {
              roleName: 'w',
              replicas: pods,
              minAvailable: pods,
              podSpec: { containers: [{ name: 'w', image: 'registry.k8s.io/pause:3.10', resources: { requests: { memory: '80Mi' } } }] },
            },
          },
        ],
      },
    },
  };
  return pool.adapt(doc) as unknown as PodCliqueSet;
}

/** Pods bound to a node (the scheduler has placed them), by name. */
export function boundPods(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => Boolean(p.spec?.nodeName) && !p.metadata?.deletionTimestamp);
}

/** Count pods per PodClique label value. */
export function perClique(pods: readonly Pod[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pods) {
    const c = p.metadata?.labels?.['grove.io/podclique'] ?? '?';
    out[c] = (out[c] ?? 0) + 1;
  }
  return out;
}
