// `copse install`: apply copse's CRDs, namespace, RBAC and (for in-cluster installs)
// its Service, Deployment and webhook configurations, by server-side apply, so a
// re-run converges instead of failing and never fights fields others own.
import { loadAllYaml } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allCrds, dynamoCrds } from '../api/crds.js';
import { repoRoot } from '../cluster/paths.js';
import { loadKubeConfig } from '../kube/client.js';
import { DynamicClient, FIELD_MANAGERS, type ObjectLike } from '../kube/dynamic.js';
import { KubeHttp } from '../kube/http.js';
import { RESOURCES } from '../kube/resources.js';
import { COPSE_NAMESPACE, webhookConfigurations } from '../webhooks/registry.js';
import { DEFAULT_SERVICE_NAME } from '../webhooks/run.js';
import type { Command } from './main.js';
import { STATIC_INSTALL_FILES } from './manifests.js';

export type InstallMode = 'cluster' | 'local';

type Log = (line: string) => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every object in a YAML file (multi-document), as written. */
export function manifestObjects(path: string): ObjectLike[] {
  return loadAllYaml(readFileSync(path, 'utf8')) as ObjectLike[];
}

async function waitEstablished(client: DynamicClient, names: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await client.get(RESOURCES.customResourceDefinitions, name);
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`copse install: CRD ${name} was not Established within ${timeoutMs / 1000}s`);
      await sleep(200);
    }
  }
}

export interface InstallOptions {
  /** Also install NVIDIA Dynamo's DynamoGraphDeployment CRD (manifests/dynamo/), which copse's controller runs. */
  dynamo?: boolean;
}

/**
 * local: the server runs outside the cluster (`copse up`) and registers URL-based
 * webhook configurations itself, so no Service, Deployment or service-based configs.
 * Every write goes through field manager copse-install, whatever manager `kube` has.
 */
export async function installCopse(kube: DynamicClient, mode: InstallMode, log: Log = () => {}, opts: InstallOptions = {}): Promise<void> {
  const client = kube.as(FIELD_MANAGERS.install);
  const crds = [...allCrds(), ...(opts.dynamo ? dynamoCrds() : [])];
  for (const crd of crds) await client.applyManifest(crd);
  await waitEstablished(client, crds.map((c) => c.metadata.name));
  log(`copse: ${crds.length} CRDs established`);
  const files = mode === 'cluster' ? STATIC_INSTALL_FILES : STATIC_INSTALL_FILES.filter((f) => f.endsWith('namespace.yaml') || f.endsWith('rbac.yaml'));
  for (const file of files) {
    for (const obj of manifestObjects(join(repoRoot(), 'manifests', file))) await client.applyManifest(obj);
  }
  if (mode === 'cluster') {
    for (const cfg of webhookConfigurations({ service: { namespace: COPSE_NAMESPACE, name: DEFAULT_SERVICE_NAME, port: 443 } })) {
      await client.applyManifest(cfg);
    }
  }
  log(`copse: installed (${mode === 'cluster' ? 'in-cluster Deployment and webhook Service' : 'for a local server'})`);
}

export const installCommand: Command = {
  summary: 'install copse into a cluster',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { kubeconfig: { type: 'string' }, local: { type: 'boolean', default: false }, dynamo: { type: 'boolean', default: false } },
    });
    const http = new KubeHttp(loadKubeConfig(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}));
    try {
      await installCopse(new DynamicClient(http, FIELD_MANAGERS.install), values.local ? 'local' : 'cluster', (l) => process.stderr.write(l + '\n'), { dynamo: values.dynamo === true });
    } finally {
      http.close();
    }
    return 0;
  },
};
