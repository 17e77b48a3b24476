import { describe, expect, it } from 'vitest';

import { clique, pcsOf } from '../../test/support/desired.js';
import type { Pod } from '../core/wire.js';
import { type SchedulerBackend, defaultSchedulerBackend } from './backend.js';
import { EXTENDER_MARKER, carriesExtenderMarker, wantsExtender, withExtenderMarker, withMarker } from './extender-marker.js';

const PCS = pcsOf('x', { cliques: [clique('a')] });
const ctx = (podIndex: number) => ({
  pcs: PCS,
  podClique: { metadata: { name: 'x-0-a' }, spec: { roleName: 'a', replicas: 2, podSpec: { containers: [] } } },
  podGangName: 'x-0',
  podIndex,
});

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'main', resources: { requests: { cpu: '1' }, limits: { memory: '1Gi' } } }, { name: 'side' }], ...spec },
});

describe('withMarker', () => {
  it('asks for one marker in the first container, as request and limit, keeping its other resources', () => {
    const input = pod();
    const out = withMarker(input);
    expect(out.spec?.containers[0]?.resources).toEqual({ requests: { cpu: '1', [EXTENDER_MARKER]: '1' }, limits: { memory: '1Gi', [EXTENDER_MARKER]: '1' } });
    expect(out.spec?.containers[1]).toEqual({ name: 'side' });
    expect(carriesExtenderMarker(out)).toBe(true);
    // the builder's pod is not changed
    expect(carriesExtenderMarker(input)).toBe(false);
    expect(input.spec?.containers[0]?.resources?.requests).toEqual({ cpu: '1' });
  });

  it('is idempotent, and leaves a pod without containers alone', () => {
    const once = withMarker(pod());
    expect(withMarker(once)).toBe(once);
    const empty: Pod = { metadata: {}, spec: { containers: [] } };
    expect(withMarker(empty)).toBe(empty);
  });

  it('counts a marker in an init container, as kube-scheduler does', () => {
    expect(carriesExtenderMarker(pod({ initContainers: [{ name: 'i', resources: { limits: { [EXTENDER_MARKER]: '1' } } }] }))).toBe(true);
    expect(carriesExtenderMarker({ metadata: {} })).toBe(false);
  });
});

describe('withExtenderMarker', () => {
  // A base that puts pod 0 in a native PodGroup and leaves pod 1 an ordinary pod, as the native backend
  // does with a gang's minimum and its extras.
  const nativeLike: SchedulerBackend = {
    name: 'default-scheduler',
    preparePod: (p, c) => {
      const out = defaultSchedulerBackend.preparePod(p, c);
      return c.podIndex === 0 ? { ...out, spec: { ...out.spec, schedulingGroup: { podGroupName: 'x-0-a' } } as Pod['spec'] } : out;
    },
    preparePodGang: (g) => g,
  };
  const backend = withExtenderMarker(nativeLike);

  it('marks a pod kube-scheduler places outside a native PodGroup, and not one inside', () => {
    expect(carriesExtenderMarker(backend.preparePod(pod(), ctx(1)))).toBe(true);
    expect(carriesExtenderMarker(backend.preparePod(pod(), ctx(0)))).toBe(false);
  });

  it('leaves pods for another scheduler alone', () => {
    const kai: SchedulerBackend = { name: 'kai-scheduler', preparePod: (p) => ({ ...p, spec: { ...p.spec, containers: p.spec?.containers ?? [], schedulerName: 'kai-scheduler' } }), preparePodGang: (g) => g };
    const out = withExtenderMarker(kai).preparePod(pod(), ctx(0));
    expect(out.spec?.schedulerName).toBe('kai-scheduler');
    expect(carriesExtenderMarker(out)).toBe(false);
    expect(wantsExtender(out)).toBe(false);
  });

  it('keeps the base backend name and its PodGangs', () => {
    expect(backend.name).toBe('default-scheduler');
    const gang = { metadata: { name: 'x-0' }, spec: { podgroups: [] } };
    expect(backend.preparePodGang(gang, { pcs: PCS, replica: 0 })).toBe(gang);
  });
});
