// Admission latency benchmarks.
//  - server: the webhook server alone, over real HTTPS keep-alive on loopback, with
//    AdmissionReview bodies for a 10-clique PodCliqueSet (what kube-apiserver sends).
//  - end-to-end: `create` with dryRun=All through the real kube-apiserver of the
//    local stack, which calls both webhooks; a ConfigMap dry-run create is the
//    baseline cost of the apiserver round trip without copse.
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:https';
import { issueCert, newCa } from '../../certs/issue.js';
import { createLogger } from '../../kube/log.js';
import { defaultPodCliqueSet } from '../../api/rules/podcliqueset/defaults.js';
import { startWebhookServer } from '../../webhooks/server.js';
import type { PodCliqueSet } from '../../api/index.js';
import { pcsCreateReview } from '../support/admission.js';
import { summarize, type LatencyResult } from './stats.js';

export { summarize, type LatencyResult };

/** A realistic disaggregated-serving PodCliqueSet with `cliques` cliques (pairs in scaling groups). */
export function tenCliquePcs(name: string, namespace: string, cliques = 10): Record<string, unknown> {
  const names = Array.from({ length: cliques }, (_, i) => `role-${i}`);
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      template: {
        cliqueStartupType: 'CliqueStartupTypeExplicit',
        cliques: names.map((n, i) => ({
          name: n,
          labels: { 'app.kubernetes.io/component': n },
          spec: {
            roleName: n,
            replicas: 2 + (i % 3),
            ...(i % 2 === 1 ? { startsAfter: [names[i - 1]] } : {}),
            podSpec: {
              containers: [
                {
                  name: 'engine',
                  image: 'registry.k8s.io/pause:3.10',
                  env: [{ name: 'ROLE', value: n }, { name: 'MODEL', value: 'llama-70b' }],
                  resources: { limits: { 'nvidia.com/gpu': '8' }, requests: { cpu: '16', memory: '128Gi' } },
                },
              ],
            },
          },
        })),
        podCliqueScalingGroups: Array.from({ length: Math.floor(cliques / 4) }, (_, g) => ({
          name: `group-${g}`,
          cliqueNames: [names[g * 4], names[g * 4 + 1]],
          replicas: 2,
          minAvailable: 1,
        })),
      },
    },
  };
}

function post(agent: Agent, port: number, path: string, body: string, ca: string): Promise<{ status: number; allowed: boolean }> {
  return new Promise((resolvePost, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: `${path}?timeout=10s`, method: 'POST', agent, ca, servername: 'localhost', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { response?: { allowed?: boolean } };
          resolvePost({ status: res.statusCode ?? 0, allowed: parsed.response?.allowed === true });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function benchServer(iterations: number): Promise<LatencyResult[]> {
  const now = new Date();
  const ca = newCa({ commonName: 'bench-ca', now, validDays: 1 });
  const leaf = issueCert(ca, { commonName: 'bench', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server', now, validDays: 1 });
  const server = await startWebhookServer({
    host: '127.0.0.1',
    port: 0,
    tls: { certPem: leaf.certPem, keyPem: leaf.keyPem },
    log: createLogger('silent'),
    lookupTopology: async () => undefined,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const results: LatencyResult[] = [];
  try {
    for (const [name, path] of [
      ['server: validate 10-clique PCS (HTTPS keep-alive)', '/webhooks/validate-podcliqueset'],
      ['server: default 10-clique PCS (HTTPS keep-alive)', '/webhooks/default-podcliqueset'],
    ] as const) {
      // The validating webhook sees what the mutating one produced, as in kube-apiserver.
      const object = (i: number) => tenCliquePcs(`bench-${i}`, 'bench');
      const bodies = Array.from({ length: iterations }, (_, i) =>
        pcsCreateReview(path.includes('validate') ? (defaultPodCliqueSet(object(i) as unknown as PodCliqueSet) as unknown as Record<string, unknown>) : object(i), 'bench', 'bench'),
      );
      for (let i = 0; i < 50; i++) await post(agent, server.port, path, bodies[i % bodies.length] ?? '', ca.certPem); // warm-up
      const samples: number[] = [];
      const t0 = performance.now();
      for (const body of bodies) {
        const s = performance.now();
        const r = await post(agent, server.port, path, body, ca.certPem);
        samples.push(performance.now() - s);
        if (r.status !== 200 || !r.allowed) throw new Error(`${path}: unexpected answer ${r.status} allowed=${r.allowed}`);
      }
      results.push(summarize(name, samples, performance.now() - t0));
    }
  } finally {
    agent.destroy();
    await server.close();
  }
  return results;
}

export async function benchEndToEnd(kubeconfig: string, iterations: number): Promise<LatencyResult[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  // A fresh namespace each run: the previous run's may still be terminating.
  const namespace = `copse-bench-${randomUUID().slice(0, 8)}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const run = async (name: string, once: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await once(i); // warm-up
    const samples: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      const s = performance.now();
      await once(i);
      samples.push(performance.now() - s);
    }
    return summarize(name, samples, performance.now() - t0);
  };
  const results = [
    await run('e2e: ConfigMap create, dryRun (apiserver baseline, no webhooks)', (i) =>
      core.createNamespacedConfigMap({ namespace, dryRun: 'All', body: { metadata: { name: `cm-${i}` }, data: { a: 'b' } } }),
    ),
    await run('e2e: 10-clique PCS create, dryRun (mutating + validating webhooks)', (i) =>
      custom.createNamespacedCustomObject({ group: 'grove.io', version: 'v1alpha1', plural: 'podcliquesets', namespace, dryRun: 'All', body: tenCliquePcs(`pcs-${i}`, namespace) }),
    ),
  ];
  await core.deleteNamespace({ name: namespace });
  return results;
}
