// `copse install`: apply copse's CRDs, namespace, RBAC and (for in-cluster installs)
// its Service, Deployment and webhook configurations, by server-side apply, so a
// re-run converges instead of failing and never fights fields others own.
import { loadAllYaml } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allCrds, dynamoCrds } from '../api/crds.js';
import { repoRoot } from '../cluster/paths.js';
import { applyObject } from '../kube/apply.js';
import { loadKubeConfig, makeClients, type KubeClients, type KubernetesObject } from '../kube/client.js';
import { COPSE_NAMESPACE, webhookConfigurations } from '../webhooks/registry.js';
import { DEFAULT_SERVICE_NAME } from '../webhooks/run.js';
import type { Command } from './main.js';
import { STATIC_INSTALL_FILES } from './manifests.js';

export type InstallMode = 'cluster' | 'local';

type Log = (line: string) => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function staticObjects(file: string): KubernetesObject[] {
  return loadAllYaml(readFileSync(join(repoRoot(), 'manifests', file), 'utf8')) as KubernetesObject[];
}

async function waitEstablished(kube: KubeClients, names: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = (await kube.objects.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } })) as {
        status?: { conditions?: Array<{ type: string; status: string }> };
      };
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
 */
export async function installCopse(kube: KubeClients, mode: InstallMode, log: Log = () => {}, opts: InstallOptions = {}): Promise<void> {
  const crds = [...allCrds(), ...(opts.dynamo ? dynamoCrds() : [])];
  for (const crd of crds) await applyObject(kube.raw, crd as unknown as KubernetesObject);
  await waitEstablished(kube, crds.map((c) => c.metadata.name));
  log(`copse: ${crds.length} CRDs established`);
  const files = mode === 'cluster' ? STATIC_INSTALL_FILES : STATIC_INSTALL_FILES.filter((f) => f.endsWith('namespace.yaml') || f.endsWith('rbac.yaml'));
  for (const file of files) {
    for (const obj of staticObjects(file)) await applyObject(kube.raw, obj);
  }
  if (mode === 'cluster') {
    for (const cfg of webhookConfigurations({ service: { namespace: COPSE_NAMESPACE, name: DEFAULT_SERVICE_NAME, port: 443 } })) {
      await applyObject(kube.raw, cfg as unknown as KubernetesObject);
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
    const kube = makeClients(loadKubeConfig(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}));
    await installCopse(kube, values.local ? 'local' : 'cluster', (l) => process.stderr.write(l + '\n'), { dynamo: values.dynamo === true });
    return 0;
  },
};
