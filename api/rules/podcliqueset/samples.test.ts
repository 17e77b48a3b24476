// Grove's own manifests as a compatibility suite: every sample PodCliqueSet must pass defaulting and
// validation unchanged. The manifests live beside the project (test/support/grove-samples.ts says
// where); missing, they fail the run under CI=true and are skipped with a warning elsewhere.

import { describe, expect, it } from 'vitest';

import { groveSamplesPresent, podCliqueSetDocs } from '../../../test/support/grove-samples.js';

import { formatFieldErrors } from '../../field-errors.js';
import { defaultPodCliqueSet } from './defaults.js';
import { type PodCliqueSetValidationContext, validatePodCliqueSetCreate, validatePodCliqueSetUpdate } from './validate.js';

type PCS = Parameters<typeof validatePodCliqueSetCreate>[0];
type CTB = NonNullable<ReturnType<NonNullable<PodCliqueSetValidationContext['topology']>>>;

const present = groveSamplesPresent({ suite: 'Grove sample suite (api/rules)', suites: 2 });

interface Sample {
  file: string;
  pcs: PCS;
}

function podCliqueSets(sub: string): Sample[] {
  return podCliqueSetDocs(sub).map(({ file, doc }) => ({ file, pcs: doc as unknown as PCS }));
}

/** A zone → block → rack → host ClusterTopologyBinding, as Grove's TAS e2e setup creates. */
function topology(name: string): CTB {
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'ClusterTopologyBinding',
    metadata: { name },
    spec: {
      levels: [
        { domain: 'zone', key: 'topology.kubernetes.io/zone' },
        { domain: 'block', key: 'kubernetes.io/block' },
        { domain: 'rack', key: 'kubernetes.io/rack' },
        { domain: 'host', key: 'kubernetes.io/hostname' },
      ],
    },
  } as unknown as CTB;
}

const TOPOLOGIES = new Map(['grove-topology', 'h100-topology', 'gb200-topology', 'tas20-topology'].map((n) => [n, topology(n)]));

const ctx: PodCliqueSetValidationContext = {
  topologyAwareScheduling: true,
  // Many e2e workloads name kai-scheduler; copse's own profile is default-scheduler.
  schedulerProfiles: ['default-scheduler', 'kai-scheduler'],
  defaultSchedulerName: 'default-scheduler',
  autoMNNVLEnabled: false,
  topology: (name) => TOPOLOGIES.get(name),
};

function admit(pcs: PCS, context: PodCliqueSetValidationContext): { create: string; update: string; warnings: string[] } {
  const defaulted = defaultPodCliqueSet(pcs);
  const created = validatePodCliqueSetCreate(defaulted, context);
  // Re-applying the same manifest (kubectl apply) is an update of the stored object to itself.
  const updated = validatePodCliqueSetUpdate(defaultPodCliqueSet(defaulted), defaulted, context);
  return { create: formatFieldErrors(created.errors), update: formatFieldErrors(updated.errors), warnings: created.warnings };
}

describe.skipIf(!present)('Grove samples (samples/**)', () => {
  const samples = present ? podCliqueSets('samples') : [];

  it('finds every sample PodCliqueSet', () => {
    expect(samples.map((s) => s.pcs.metadata?.name)).toEqual([
      'simple1',
      'simple2',
      'simple3',
      'comp-inf-ppln',
      'multinode-aggregated',
      'multinode-disaggregated',
      'single-node-aggregated',
      'single-node-disaggregated',
      'mn-disagg',
      'env-demo-pcsg',
      'env-demo-standalone',
    ]);
  });

  it.each(samples.map((s) => [s.file, s.pcs] as const))('%s is admitted unchanged', (_file, pcs) => {
    const r = admit(pcs, ctx);
    expect(r.create).toBe('');
    expect(r.update).toBe('');
    expect(r.warnings).toEqual([]);
  });

  it('the samples need no topology-aware scheduling, KAI or MNNVL', () => {
    const plain: PodCliqueSetValidationContext = {
      topologyAwareScheduling: false,
      schedulerProfiles: ['default-scheduler'],
      defaultSchedulerName: 'default-scheduler',
      autoMNNVLEnabled: false,
    };
    for (const s of samples) expect(admit(s.pcs, plain).create).toBe('');
  });
});

describe.skipIf(!present)('Grove e2e workloads (e2e-workloads/**)', () => {
  const workloads = present ? podCliqueSets('e2e-workloads') : [];
  // The one manifest Grove's e2e suite applies expecting a denial.
  const INVALID = 'e2e-workloads/auto-mnnvl/mnnvl-gpu-invalid.yaml';
  const mnnvl = (file: string): boolean => file.includes('auto-mnnvl/');

  it('finds every e2e PodCliqueSet', () => {
    expect(workloads).toHaveLength(47);
  });

  it.each(workloads.filter((w) => w.file !== INVALID).map((w) => [w.file, w.pcs] as const))(
    '%s is admitted unchanged',
    (file, pcs) => {
      const r = admit(pcs, { ...ctx, autoMNNVLEnabled: mnnvl(file) });
      expect(r.create).toBe('');
      expect(r.update).toBe('');
    },
  );

  it('mnnvl-gpu-invalid.yaml is denied with Grove’s messages', () => {
    const w = workloads.find((x) => x.file === INVALID);
    expect(w).toBeDefined();
    const r = admit((w as Sample).pcs, { ...ctx, autoMNNVLEnabled: true });
    expect(r.create).toBe(
      'metadata.annotations.grove.io/mnnvl-group: Invalid value: "invalid value with spaces": mnnvl-group value "invalid value with spaces" is not a valid DNS-1123 label: ' +
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  });

  it('MNNVL group annotations are denied while MNNVL is disabled', () => {
    const w = workloads.find((x) => x.file === 'e2e-workloads/auto-mnnvl/mnnvl-gpu-default.yaml');
    expect(admit((w as Sample).pcs, ctx).create).toBe(
      'metadata.annotations.grove.io/mnnvl-group: Invalid value: "default": MNNVL is not enabled in the operator configuration. Either enable MNNVL globally or remove the grove.io/mnnvl-group annotation',
    );
  });
});
