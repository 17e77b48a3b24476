// grove.io/v1alpha1 ClusterTopologyBinding (grove-compat §2.4, cluster-scoped): the named topology
// hierarchy (levels mapped to node label keys) that topology constraints refer to.

import { arr, bool, int64, named, obj, str } from '../../schema/dsl.js';
import type { Schema } from '../../schema/types.js';
import { conditions, kindRoot, observedGeneration, topologyDomain } from './common.js';

/** Qualified-name pattern of a node label key, e.g. `topology.kubernetes.io/zone`. */
export const LABEL_KEY_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$';

/** Well-known level names (any name matching the domain pattern is allowed). */
export const WELL_KNOWN_TOPOLOGY_DOMAINS = ['region', 'zone', 'datacenter', 'block', 'rack', 'host', 'numa'] as const;

export const topologyLevel: Schema = named(
  'TopologyLevel',
  obj(
    {
      domain: topologyDomain(
        'Name of the level, used by topology constraints (pack.required / pack.preferred). Well-known values: ' +
          'region, zone, datacenter, block, rack, host, numa.',
      ),
      key: str({
        minLength: 1,
        maxLength: 63,
        pattern: LABEL_KEY_PATTERN,
        description: 'Node label key whose value identifies the domain of a node at this level, e.g. kubernetes.io/hostname.',
      }),
    },
    { required: ['domain', 'key'], description: 'One level of the topology hierarchy.' },
  ),
);

export const schedulerTopologyBinding: Schema = named(
  'SchedulerTopologyBinding',
  obj(
    {
      schedulerName: str({ description: 'Scheduler backend that owns the referenced topology object.' }),
      topologyReference: str({ description: 'Name of the topology object of that backend.' }),
    },
    {
      required: ['schedulerName', 'topologyReference'],
      description:
        'Binds this topology to an existing, externally managed topology of a scheduler backend (only checked for drift).',
    },
  ),
);

export const clusterTopologyBindingSpec: Schema = named(
  'ClusterTopologyBindingSpec',
  obj(
    {
      levels: arr(topologyLevel, {
        minItems: 1,
        description: 'Topology levels ordered from the broadest (index 0) to the narrowest.',
      }),
      schedulerTopologyBindings: arr(schedulerTopologyBinding, {
        description:
          'Backend topologies managed outside the operator; when present the operator does not create them and ' +
          'only reports drift.',
      }),
    },
    { required: ['levels'], description: 'Desired state of the ClusterTopologyBinding.' },
  ),
);

export const clusterTopologyBindingStatus: Schema = named(
  'ClusterTopologyBindingStatus',
  obj(
    {
      observedGeneration: observedGeneration('ClusterTopologyBinding'),
      conditions: conditions('Latest observations, such as SchedulerTopologyDrift (reasons InSync, Drift, TopologyNotFound).'),
      schedulerTopologyStatuses: arr(
        named(
          'SchedulerTopologyStatus',
          obj(
            {
              schedulerName: str({ description: 'Scheduler backend.' }),
              topologyReference: str({ description: 'Name of the backend topology object.' }),
              inSync: bool({ description: 'Whether the backend topology matches the levels of this binding.' }),
              schedulerBackendTopologyObservedGeneration: int64({
                description: 'Generation of the backend topology object that was compared.',
              }),
              message: str({ description: 'Details of a mismatch or lookup failure.' }),
            },
            {
              required: ['topologyReference', 'inSync'],
              description: 'Drift status of one scheduler backend topology.',
            },
          ),
        ),
        { description: 'Per-backend drift status.' },
      ),
    },
    { description: 'Observed state of the ClusterTopologyBinding.' },
  ),
);

export const clusterTopologyBinding: Schema = kindRoot(
  'ClusterTopologyBinding',
  'A ClusterTopologyBinding names a cluster topology hierarchy: ordered levels (for example zone, rack, host), each ' +
    'bound to the node label key that identifies its domains.',
  clusterTopologyBindingSpec,
  clusterTopologyBindingStatus,
);
