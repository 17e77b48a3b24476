import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/core/wire.js';
import { injectStartupWait } from '../api/desired/startup.js';
import { initContainerConfig } from '../api/image.js';
import { downwardApiFiles, fieldRefValue, initcArgs, mountPlan, resultAnnotations, shouldRun, tailBytes } from './initc-plan.js';

/** A pod as the startup webhook leaves it, bound to `node`. */
function admittedPod(node = 'kwok-1', annotations: Record<string, string> = {}): Pod {
  const marked: Pod = {
    metadata: {
      name: 'w-0-b-abc',
      namespace: 'ns',
      uid: 'u1',
      labels: { 'app.kubernetes.io/part-of': 'w', 'copse.io/startup-wait': 'true', 'grove.io/podgang': 'w-0' },
      annotations: { 'copse.io/starts-after': 'w-0-a:2', ...annotations },
    },
    spec: { nodeName: node, containers: [{ name: 'main' }] },
    status: { phase: 'Pending' },
  };
  const r = injectStartupWait(marked, initContainerConfig({}));
  if (!('pod' in r)) throw new Error('not injected');
  return r.pod;
}
const simulated = (n: string) => n.startsWith('kwok-');

describe('which pods the runner runs copse initc for', () => {
  it("a pending pod on a simulated node whose init container is copse's, not reported yet", () => {
    expect(shouldRun(admittedPod(), simulated)).toBe(true);
  });

  it.each<[string, Pod]>([
    ['not scheduled', { ...admittedPod(), spec: { ...admittedPod().spec!, nodeName: '' } }],
    ['on a real node', admittedPod('node-7')],
    ['already reported', admittedPod('kwok-1', { 'sim.copse.io/initc-exit-code': '0' })],
    ['being deleted', { ...admittedPod(), metadata: { ...admittedPod().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }],
    ['running already', { ...admittedPod(), status: { phase: 'Running' } }],
    ['without the init container', { ...admittedPod(), spec: { ...admittedPod().spec!, initContainers: [] } }],
  ])('not a pod %s', (_what, pod) => {
    expect(shouldRun(pod, simulated)).toBe(false);
  });

  it("passes the container's own arguments: everything after `initc` in the command, then args", () => {
    expect(initcArgs({ name: 'grove-initc', command: ['/nodejs/bin/node', '/app/bin/copse.js', 'initc'], args: ['--podcliques=w-0-a:2'] })).toEqual(['--podcliques=w-0-a:2']);
    expect(initcArgs({ name: 'grove-initc', command: ['copse', 'initc', '--timeout=5s'], args: ['--podcliques=a:1'] })).toEqual(['--timeout=5s', '--podcliques=a:1']);
    expect(initcArgs({ name: 'grove-initc', image: 'grove-initc:v1', args: ['--podcliques=a:1'] })).toBeUndefined();
  });
});

describe('what the runner provides in place of the mounts', () => {
  it('maps each mount path to its copse initc flag', () => {
    const plan = mountPlan(admittedPod());
    if (typeof plan === 'string') throw new Error(plan);
    expect(plan.map((m) => [m.flag, m.volume.name])).toEqual([
      ['--pod-info-dir', 'pod-info-vol'],
      ['--service-account-dir', 'sa-token-secret-vol'],
    ]);
  });

  it('refuses a mount it has no flag for', () => {
    const pod = admittedPod();
    pod.spec!.initContainers![0]!.volumeMounts!.push({ name: 'pod-info-vol', mountPath: '/etc/extra' });
    expect(mountPlan(pod)).toBe('grove-initc mounts /etc/extra, which copse initc has no flag for');
  });

  it("resolves the downward-API files from the pod's own fields", () => {
    const pod = admittedPod();
    const volume = pod.spec!.volumes!.find((v) => v.name === 'pod-info-vol')!;
    expect(downwardApiFiles(pod, volume)).toEqual({ files: { namespace: 'ns', podgangname: 'w-0' } });
    expect(fieldRefValue(pod, "metadata.annotations['copse.io/starts-after']")).toBe('w-0-a:2');
    expect(fieldRefValue(pod, 'status.podIP')).toEqual({ error: 'downward-API field "status.podIP" is not simulated' });
    expect(downwardApiFiles(pod, { name: 'x', downwardAPI: { items: [{ path: '../up', fieldRef: { fieldPath: 'metadata.name' } }] } })).toEqual({
      error: 'downward-API item path "../up" is not a plain relative path',
    });
  });
});

describe('the report', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s, 250));

  it('exit 0 with times to the millisecond', () => {
    expect(resultAnnotations({ exitCode: 0, terminationLog: '', output: 'all parents ready', startedAt: at(1), finishedAt: at(3) }, true)).toEqual({
      'sim.copse.io/initc-exit-code': '0',
      'sim.copse.io/initc-message': '',
      'sim.copse.io/initc-started-at': '2026-01-01T00:00:01.250Z',
      'sim.copse.io/initc-finished-at': '2026-01-01T00:00:03.250Z',
    });
  });

  it('a failure carries the termination log, else (FallbackToLogsOnError) the tail of the output', () => {
    const r = { exitCode: 3, terminationLog: 'timed out waiting for w-0-a\n', output: 'lots of output', startedAt: at(1), finishedAt: at(2) };
    expect(resultAnnotations(r, true)['sim.copse.io/initc-message']).toBe('timed out waiting for w-0-a');
    expect(resultAnnotations({ ...r, terminationLog: '' }, true)['sim.copse.io/initc-message']).toBe('lots of output');
    expect(resultAnnotations({ ...r, terminationLog: '' }, false)['sim.copse.io/initc-message']).toBe('');
  });

  it('keeps the end of a long message within the byte limit', () => {
    expect(tailBytes('abcdef', 3)).toBe('def');
    expect(Buffer.byteLength(tailBytes('é'.repeat(10), 5))).toBeLessThanOrEqual(5);
  });
});
