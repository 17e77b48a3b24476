// The per-cluster probe behind `--native-scheduling=auto`: discovery of scheduling.k8s.io v1beta1 and
// v1alpha3, then one dry-run PodGroup (nothing is stored) to see that the apiserver keeps the fields
// whose gates it would otherwise silently drop. The verdict is api/native/support.ts's.
import type { Logger } from 'pino';
import { type NativeProbe, type NativeSetting, type NativeSupport, PODGROUP_API_VERSION, explicitSupport, probeSupport } from '../../api/native/index.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { KubeError } from '../../kube/errors.js';
import { NATIVE_RESOURCES } from './resources.js';

const PROBE_NAME = 'copse-native-probe';
const PROBE_KEY = 'kubernetes.io/hostname';

async function served(client: DynamicClient, version: string): Promise<string[] | undefined> {
  try {
    const res = await client.http.request({ method: 'GET', path: `/apis/scheduling.k8s.io/${version}` });
    return ((res.body as { resources?: { name: string }[] }).resources ?? []).map((r) => r.name);
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'NotFound') return undefined;
    throw err;
  }
}

async function dryRun(client: DynamicClient, namespace: string): Promise<NativeProbe['dryRun']> {
  try {
    const out = await client.create(
      NATIVE_RESOURCES.podGroups,
      {
        apiVersion: PODGROUP_API_VERSION,
        kind: 'PodGroup',
        metadata: { name: PROBE_NAME, namespace },
        spec: {
          parentCompositePodGroupName: PROBE_NAME,
          workloadRef: { workloadName: PROBE_NAME, templateName: 'probe' },
          schedulingPolicy: { gang: { minCount: 1 } },
          schedulingConstraints: { topology: [{ key: PROBE_KEY }] },
          disruptionMode: { all: {} },
        },
      },
      { dryRun: true },
    );
    return { keptConstraints: out.spec.schedulingConstraints?.topology[0]?.key === PROBE_KEY, keptParent: out.spec.parentCompositePodGroupName === PROBE_NAME };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export async function probeNative(client: DynamicClient, namespace: string): Promise<NativeProbe> {
  const v1beta1 = await served(client, 'v1beta1');
  const v1alpha3 = await served(client, 'v1alpha3');
  const probe: NativeProbe = { ...(v1beta1 ? { v1beta1 } : {}), ...(v1alpha3 ? { v1alpha3 } : {}) };
  if (!v1beta1?.includes('podgroups')) return probe;
  return { ...probe, dryRun: await dryRun(client, namespace) };
}

/** The cluster's answer for `setting`: explicit, or probed (a probe that cannot reach the API is not native). */
export async function nativeSupport(setting: NativeSetting, client: DynamicClient, namespace: string, log: Logger): Promise<NativeSupport> {
  const explicit = explicitSupport(setting);
  const support = explicit ?? (await probeNative(client, namespace).then(probeSupport, (err: unknown) => ({ native: false, reason: `the probe failed: ${err instanceof Error ? err.message : String(err)}` })));
  log.info({ setting, native: support.native, reason: support.reason }, support.native ? 'gangs that native scheduling can express go to kube-scheduler natively' : 'every gang goes through the extender');
  return support;
}
