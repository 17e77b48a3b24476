// Pure: the simulated cluster's shape and the Node objects that realise it.
import type { Node } from '../api/core/wire.js';

/** Node label keys carrying the topology; documented in the README. */
export const TopologyLabels = {
  zone: 'topology.kubernetes.io/zone',
  block: 'topology.copse.io/block',
  rack: 'topology.copse.io/rack',
  host: 'kubernetes.io/hostname',
  // NVIDIA's GPU feature discovery publishes the NVLink domain (clique) of a node under
  // this key on real GB200/NVL72 systems; one rack is one NVLink domain here.
  nvlinkDomain: 'nvidia.com/gpu.clique',
} as const;

export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';
export const SIMULATED_LABEL = 'type';

export interface ClusterShape {
  zones: number;
  blocksPerZone: number;
  racksPerBlock: number;
  hostsPerRack: number;
  /** Resources of every node. */
  cpu: string;
  memory: string;
  gpus: number;
  /** Upper bound on nodes; the last rack is partial when it is not a multiple. */
  nodes: number;
}

export const DEFAULT_SHAPE: ClusterShape = {
  zones: 1,
  blocksPerZone: 2,
  racksPerBlock: 2,
  hostsPerRack: 4,
  cpu: '64',
  memory: '512Gi',
  gpus: 8,
  nodes: 16,
};

export class ShapeError extends Error {}

/**
 * Resolve the requested shape. Asking only for `nodes` keeps the default rack and
 * block sizes (4 hosts a rack, 2 racks a block) and adds blocks until it fits.
 */
export function resolveShape(input: Partial<ClusterShape>): ClusterShape {
  const shape: ClusterShape = { ...DEFAULT_SHAPE, ...input };
  for (const key of ['zones', 'blocksPerZone', 'racksPerBlock', 'hostsPerRack', 'gpus'] as const) {
    const v = shape[key];
    if (!Number.isInteger(v) || v < (key === 'gpus' ? 0 : 1)) {
      throw new ShapeError(`topology.${key}: must be a ${key === 'gpus' ? 'non-negative' : 'positive'} integer, got ${String(v)}`);
    }
  }
  if (input.nodes !== undefined && input.blocksPerZone === undefined) {
    if (!Number.isInteger(input.nodes) || input.nodes < 1) {
      throw new ShapeError(`topology.nodes: must be a positive integer, got ${String(input.nodes)}`);
    }
    const perBlock = shape.racksPerBlock * shape.hostsPerRack;
    shape.blocksPerZone = Math.ceil(input.nodes / (perBlock * shape.zones));
    shape.nodes = input.nodes;
  } else if (input.nodes === undefined) {
    shape.nodes = shape.zones * shape.blocksPerZone * shape.racksPerBlock * shape.hostsPerRack;
  }
  const capacity = shape.zones * shape.blocksPerZone * shape.racksPerBlock * shape.hostsPerRack;
  if (shape.nodes > capacity) {
    throw new ShapeError(`topology.nodes: ${shape.nodes} nodes do not fit in ${capacity} hosts of the given shape`);
  }
  if (shape.nodes > 10000) throw new ShapeError(`topology.nodes: at most 10000 simulated nodes, got ${shape.nodes}`);
  return shape;
}

export interface NodePlacement {
  name: string;
  zone: string;
  block: string;
  rack: string;
}

export function placements(shape: ClusterShape): NodePlacement[] {
  const out: NodePlacement[] = [];
  for (let z = 0; z < shape.zones; z++) {
    for (let b = 0; b < shape.blocksPerZone; b++) {
      for (let r = 0; r < shape.racksPerBlock; r++) {
        for (let h = 0; h < shape.hostsPerRack; h++) {
          if (out.length === shape.nodes) return out;
          const zone = `zone-${String.fromCharCode(97 + (z % 26))}${z >= 26 ? z : ''}`;
          const block = `${zone}-block-${b}`;
          const rack = `${block}-rack-${r}`;
          out.push({ name: `kwok-z${z}-b${b}-r${r}-h${h}`, zone, block, rack });
        }
      }
    }
  }
  return out;
}

export function nodeObject(p: NodePlacement, shape: ClusterShape): Node {
  const resources: Record<string, string> = {
    cpu: shape.cpu,
    memory: shape.memory,
    pods: '110',
    'ephemeral-storage': '1Ti',
  };
  if (shape.gpus > 0) resources['nvidia.com/gpu'] = String(shape.gpus);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: p.name,
      annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        [SIMULATED_LABEL]: 'kwok',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [TopologyLabels.host]: p.name,
        [TopologyLabels.zone]: p.zone,
        [TopologyLabels.block]: p.block,
        [TopologyLabels.rack]: p.rack,
        [TopologyLabels.nvlinkDomain]: p.rack,
        // Grove's own e2e workloads pin themselves to nodes with this label.
        'node_role.e2e.grove.nvidia.com': 'agent',
        ...(shape.gpus > 0 ? { 'nvidia.com/gpu.count': String(shape.gpus), 'nvidia.com/gpu.present': 'true' } : {}),
      },
    },
    spec: {},
    status: { allocatable: { ...resources }, capacity: { ...resources } },
  };
}

/** The ClusterTopologyBinding `copse up` creates for the simulated nodes (Grove's TAS e2e name). */
export const LOCAL_TOPOLOGY_NAME = 'grove-topology';

/**
 * zone → block → rack → host on the simulated nodes' label keys, so Grove's TAS samples
 * (`topologyName: grove-topology`) run unchanged on the local cluster.
 */
export function localTopologyBinding(): { apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> }; spec: { levels: { domain: string; key: string }[] } } {
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'ClusterTopologyBinding',
    metadata: { name: LOCAL_TOPOLOGY_NAME, labels: { 'app.kubernetes.io/managed-by': 'copse' } },
    spec: {
      levels: [
        { domain: 'zone', key: TopologyLabels.zone },
        { domain: 'block', key: TopologyLabels.block },
        { domain: 'rack', key: TopologyLabels.rack },
        { domain: 'host', key: TopologyLabels.host },
      ],
    },
  };
}
