// e2e helpers on copse's own client (kube/dynamic.ts), so the tests exercise the same path the
// controllers use.
import type { Pod } from '../../api/core/wire.js';
import { loadKubeConfig } from '../../kube/client.js';
import { DynamicClient, FIELD_MANAGERS, type ObjectLike } from '../../kube/dynamic.js';
import { KubeHttp } from '../../kube/http.js';
import { RESOURCES, type Resource } from '../../kube/resources.js';
import { eventually } from './kube.js';

export function testClient(kubeconfig: string): DynamicClient {
  return new DynamicClient(new KubeHttp(loadKubeConfig({ kubeconfig })), FIELD_MANAGERS.test);
}

export async function listIn<T>(client: DynamicClient, r: Resource<T>, namespace: string, labelSelector?: string): Promise<T[]> {
  return (await client.list(r, { namespace, labelSelector })).items;
}

export function namesOf(objs: readonly ObjectLike[]): string[] {
  return objs.map((o) => o.metadata?.name ?? '').sort();
}

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Wait until the namespace holds exactly `count` pods matching the selector, all Ready and not terminating. */
export function readyPods(client: DynamicClient, namespace: string, count: number, labelSelector?: string, timeoutMs = 90_000): Promise<Pod[]> {
  return eventually(
    `${count} Ready pods in ${namespace}${labelSelector ? ` (${labelSelector})` : ''}`,
    async () => {
      const pods = (await listIn(client, RESOURCES.pods, namespace, labelSelector)).filter((p) => !p.metadata?.deletionTimestamp);
      return pods.length === count && pods.every(isReady) ? pods : undefined;
    },
    timeoutMs,
    500,
  );
}

/** Wait until no object of `r` with the selector exists in the namespace. */
export function gone(client: DynamicClient, r: Resource, namespace: string, labelSelector: string, timeoutMs = 60_000): Promise<true> {
  return eventually(`no ${r.resource} with ${labelSelector} in ${namespace}`, async () => (await listIn(client, r, namespace, labelSelector)).length === 0 || undefined, timeoutMs, 500);
}

export async function createNamespace(client: DynamicClient, prefix: string): Promise<{ name: string; cleanup: () => Promise<void> }> {
  const name = `${prefix}-${Math.random().toString(16).slice(2, 8)}`;
  await client.create(RESOURCES.namespaces, { metadata: { name, labels: { 'copse.io/test': 'true' } } });
  return { name, cleanup: async () => void (await client.delete(RESOURCES.namespaces, name, undefined)) };
}
