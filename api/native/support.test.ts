import { describe, expect, it } from 'vitest';

import { explicitSupport, parseNativeSetting, probeSupport } from './support.js';

const SERVED = { v1beta1: ['podgroups', 'podgroups/status', 'workloads'], v1alpha3: ['compositepodgroups', 'podgroups', 'workloads'] };

describe('probeSupport (discovery + a dry-run PodGroup)', () => {
  it('is native when everything is served and the dry run keeps constraints and parent', () => {
    expect(probeSupport({ ...SERVED, dryRun: { keptConstraints: true, keptParent: true } })).toEqual({
      native: true,
      reason: 'the apiserver serves Workload, PodGroup and CompositePodGroup and keeps topology constraints',
    });
  });
  it('names what is missing, in order', () => {
    expect(probeSupport({}).reason).toBe('scheduling.k8s.io/v1beta1 podgroups is not served (GenericWorkload off or the version disabled)');
    expect(probeSupport({ v1beta1: ['podgroups'] }).reason).toBe('scheduling.k8s.io/v1beta1 workloads is not served');
    expect(probeSupport({ v1beta1: SERVED.v1beta1 }).reason).toBe('scheduling.k8s.io/v1alpha3 compositepodgroups is not served (CompositePodGroup off or the version disabled)');
    expect(probeSupport({ ...SERVED }).reason).toBe('the dry-run PodGroup was not tried');
    expect(probeSupport({ ...SERVED, dryRun: { error: 'forbidden' } })).toEqual({ native: false, reason: 'a dry-run PodGroup failed: forbidden' });
    expect(probeSupport({ ...SERVED, dryRun: { keptConstraints: false, keptParent: true } }).reason).toBe(
      'a dry-run PodGroup lost spec.schedulingConstraints (TopologyAwareWorkloadScheduling off)',
    );
    expect(probeSupport({ ...SERVED, dryRun: { keptConstraints: true, keptParent: false } }).native).toBe(false);
  });
});

describe('the explicit setting overrides the probe', () => {
  it('on and off answer without probing; auto leaves it to the probe', () => {
    expect(explicitSupport('on')).toEqual({ native: true, reason: 'native scheduling is on (--native-scheduling=on)' });
    expect(explicitSupport('off')).toEqual({ native: false, reason: 'native scheduling is off (--native-scheduling=off)' });
    expect(explicitSupport('auto')).toBeUndefined();
  });
  it('parses the flag, naming it on a bad value', () => {
    expect(parseNativeSetting(undefined, '--native-scheduling')).toBe('auto');
    expect(parseNativeSetting('on', '--native-scheduling')).toBe('on');
    expect(() => parseNativeSetting('yes', '--native-scheduling')).toThrow('--native-scheduling: must be auto, on or off, got "yes"');
  });
});
