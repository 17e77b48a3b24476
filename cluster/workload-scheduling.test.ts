import { describe, expect, it } from 'vitest';
import {
  describeWorkloadScheduling,
  MODE_COMPONENTS,
  modeOfApiserverArgs,
  parseWorkloadSchedulingMode,
  WORKLOAD_SCHEDULING_MODES,
  workloadSchedulingFlags,
} from './workload-scheduling.js';

const flagValue = (args: string[], flag: string) => args.filter((a) => a.startsWith(`${flag}=`)).map((a) => a.slice(flag.length + 1));

describe('workload-scheduling mode flags', () => {
  it('native: the same three gates on every component, and both API versions on the apiserver', () => {
    const f = workloadSchedulingFlags('native');
    for (const c of MODE_COMPONENTS) {
      expect(flagValue(f[c], '--feature-gates'), c).toEqual(['GenericWorkload=true,TopologyAwareWorkloadScheduling=true,CompositePodGroup=true']);
    }
    expect(flagValue(f['kube-apiserver'], '--runtime-config')).toEqual(['scheduling.k8s.io/v1beta1=true,scheduling.k8s.io/v1alpha3=true']);
    expect(flagValue(f['kube-scheduler'], '--runtime-config')).toEqual([]);
    expect(flagValue(f['kube-controller-manager'], '--runtime-config')).toEqual([]);
  });

  it('off: upstream defaults, no gate and no runtime-config anywhere', () => {
    expect(workloadSchedulingFlags('off')).toEqual({ 'kube-apiserver': [], 'kube-controller-manager': [], 'kube-scheduler': [] });
  });

  it.each(WORKLOAD_SCHEDULING_MODES)('%s: the apiserver serves the scheduling versions exactly when the gates are on', (mode) => {
    const f = workloadSchedulingFlags(mode);
    const gatesOn = MODE_COMPONENTS.map((c) => flagValue(f[c], '--feature-gates').length > 0);
    expect(new Set(gatesOn).size).toBe(1);
    expect(flagValue(f['kube-apiserver'], '--runtime-config').length > 0).toBe(gatesOn[0]);
  });

  it.each(WORKLOAD_SCHEDULING_MODES)('reads %s back from the apiserver command line', (mode) => {
    const args = ['--secure-port=1', ...workloadSchedulingFlags(mode)['kube-apiserver'], '--v=1'];
    expect(modeOfApiserverArgs(args)).toBe(mode);
  });

  it('gates without the runtime-config are not native', () => {
    expect(modeOfApiserverArgs(workloadSchedulingFlags('native')['kube-scheduler'])).toBe('off');
  });

  it('parses the flag and names it in errors', () => {
    expect(parseWorkloadSchedulingMode('native', '--workload-scheduling')).toBe('native');
    expect(parseWorkloadSchedulingMode('off', '--workload-scheduling')).toBe('off');
    expect(parseWorkloadSchedulingMode(undefined, '--workload-scheduling')).toBeUndefined();
    expect(parseWorkloadSchedulingMode('', 'COPSE_WORKLOAD_SCHEDULING')).toBeUndefined();
    expect(() => parseWorkloadSchedulingMode('on', '--workload-scheduling')).toThrow('--workload-scheduling: must be one of off, native, got "on"');
    expect(() => parseWorkloadSchedulingMode('Native', 'COPSE_WORKLOAD_SCHEDULING')).toThrow('COPSE_WORKLOAD_SCHEDULING: must be one of off, native, got "Native"');
  });

  it('describes each mode', () => {
    expect(describeWorkloadScheduling('off')).toBe('off (upstream defaults; scheduling.k8s.io/v1beta1 not served)');
    expect(describeWorkloadScheduling('native')).toBe(
      'native (feature gates GenericWorkload, TopologyAwareWorkloadScheduling, CompositePodGroup; serves scheduling.k8s.io/v1beta1, scheduling.k8s.io/v1alpha3)',
    );
  });
});
