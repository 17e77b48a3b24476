// The real admission logic behind the real routes (default WEBHOOKS table), driven through
// fastify inject() with AdmissionReview JSON. Only the ClusterTopologyBinding lookup is injected.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCert, newCa } from '../certs/issue.js';
import { Registry } from '../kube/metrics.js';
import type { JsonPatchOp } from '../api/jsonpatch.js';
import { clusterTopology } from '../test/support/admission.js';
import { applyPatch } from '../test/support/json-patch.js';
import { defaultPodCliqueSet } from '../api/rules/podcliqueset/defaults.js';
import { DNS1123_SUBDOMAIN_PATTERN } from '../api/rules/k8s-names.js';
import { buildWebhookApp } from './server.js';

type Obj = Record<string, unknown>;

const NAME_MISMATCH = 'all topologyConstraint.topologyName values within a PodCliqueSet must match in the current implementation';

const now = new Date();
const ca = newCa({ commonName: 'ca', now, validDays: 2 });
const leaf = issueCert(ca, { commonName: 'x', ipAddresses: ['127.0.0.1'], usage: 'server', now, validDays: 1 });

const clique = (name: string, replicas: number, minAvailable?: number): Obj => ({
  name,
  spec: {
    roleName: name,
    replicas,
    ...(minAvailable !== undefined ? { minAvailable } : {}),
    podSpec: { containers: [{ name: 'main', image: 'busybox' }] },
  },
});

/** As a user would submit it (before defaulting). */
const rawPcs = (cliques: Obj[], template: Obj = {}): Obj => ({
  apiVersion: 'grove.io/v1alpha1',
  kind: 'PodCliqueSet',
  metadata: { name: 'simple1', namespace: 'default' },
  spec: { replicas: 1, template: { cliqueStartupType: 'CliqueStartupTypeAnyOrder', cliques, ...template } },
});
const defaulted = (o: Obj): Obj => defaultPodCliqueSet(o as never) as unknown as Obj;

const GROVE_TOPOLOGY: Obj = clusterTopology('grove-topology', [
  ['zone', 'topology.kubernetes.io/zone'],
  ['rack', 'example.com/rack'],
  ['host', 'kubernetes.io/hostname'],
]);

function review(uid: string, kind: string, operation: string, object: Obj | null, oldObject: Obj | null = null, namespace = 'default'): Obj {
  const resource = kind === 'PodCliqueSet' ? 'podcliquesets' : kind === 'ClusterTopologyBinding' ? 'clustertopologybindings' : `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: kind === 'Pod' ? '' : 'grove.io', version: 'v1alpha1', kind },
      resource: { group: 'grove.io', version: 'v1alpha1', resource },
      name: ((object ?? oldObject)?.['metadata'] as Obj | undefined)?.['name'],
      ...(kind === 'ClusterTopologyBinding' ? {} : { namespace }),
      operation,
      userInfo: { username: 'alice' },
      object,
      oldObject,
      dryRun: false,
    },
  };
}

describe('admission handlers (real logic)', () => {
  const lookups: string[] = [];
  let topologies: Record<string, Obj> = {};
  let kaiServed = false;
  let kaiAsked = 0;
  const { app } = buildWebhookApp({
    tls: { certPem: leaf.certPem, keyPem: leaf.keyPem },
    log: pino({ level: 'silent' }),
    metrics: new Registry(),
    config: { topologyAwareScheduling: true },
    lookupTopology: async (name) => {
      lookups.push(name);
      return topologies[name];
    },
    kaiTopologyServed: async () => {
      kaiAsked += 1;
      return kaiServed;
    },
  });
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  const post = async (path: string, body: Obj): Promise<Obj> => {
    const res = await app.inject({ method: 'POST', url: `${path}?timeout=10s`, payload: body });
    expect(res.statusCode).toBe(200);
    const json = res.json<Obj>();
    expect(json['apiVersion']).toBe('admission.k8s.io/v1');
    expect(json['kind']).toBe('AdmissionReview');
    return json['response'] as Obj;
  };

  it('defaulting returns a patch that turns the object into defaultPodCliqueSet(object)', async () => {
    const obj = rawPcs([clique('pca', 3)]);
    const res = await post('/webhooks/default-podcliqueset', review('d-1', 'PodCliqueSet', 'CREATE', obj));
    expect(res['uid']).toBe('d-1');
    expect(res['patchType']).toBe('JSONPatch');
    const ops = JSON.parse(Buffer.from(res['patch'] as string, 'base64').toString()) as JsonPatchOp[];
    expect(ops).toContainEqual({ op: 'add', path: '/spec/template/cliques/0/spec/minAvailable', value: 3 });
    expect(ops).toContainEqual({ op: 'add', path: '/spec/template/terminationDelay', value: '4h0m0s' });
    expect(applyPatch(obj, ops)).toEqual(defaulted(obj));
  });

  it('defaulting an already-defaulted object returns no patch', async () => {
    const res = await post('/webhooks/default-podcliqueset', review('d-2', 'PodCliqueSet', 'UPDATE', defaulted(rawPcs([clique('pca', 3)])), defaulted(rawPcs([clique('pca', 3)]))));
    expect(res).toEqual({ uid: 'd-2', allowed: true });
  });

  it('validation allows a valid PodCliqueSet, relaying warnings', async () => {
    // The first call compiles the ajv validator (a few seconds).
    const ok = await post('/webhooks/validate-podcliqueset', review('v-0', 'PodCliqueSet', 'CREATE', defaulted(rawPcs([clique('pca', 3)]))));
    expect(ok).toEqual({ uid: 'v-0', allowed: true });
    const obj = defaulted(rawPcs([clique('pca', 3)]));
    ((((obj['spec'] as Obj)['template'] as Obj)['cliques'] as Obj[])[0]?.['spec'] as { podSpec: Obj }).podSpec['restartPolicy'] = 'Never';
    const res = await post('/webhooks/validate-podcliqueset', review('v-1', 'PodCliqueSet', 'CREATE', obj));
    expect(res).toEqual({ uid: 'v-1', allowed: true, warnings: ['restartPolicy will be ignored, it will be set to Always'] });
  }, 30_000);

  it('validation denies minAvailable > replicas with the kubectl-ready message', async () => {
    const res = await post('/webhooks/validate-podcliqueset', review('v-2', 'PodCliqueSet', 'CREATE', defaulted(rawPcs([clique('pca', 3, 5)]))));
    expect(res['allowed']).toBe(false);
    expect(res['status']).toEqual({
      metadata: {},
      status: 'Failure',
      code: 403,
      reason: 'Forbidden',
      message: 'spec.template.cliques[0].spec.minAvailable: Invalid value: 5: minAvailable must not be greater than replicas',
      details: {
        causes: [{ reason: 'FieldValueInvalid', field: 'spec.template.cliques[0].spec.minAvailable', message: 'Invalid value: 5: minAvailable must not be greater than replicas' }],
      },
    });
    expect(`admission webhook "pcs.validating.webhooks.grove.io" denied the request: ${(res['status'] as Obj)['message'] as string}`).toBe(
      'admission webhook "pcs.validating.webhooks.grove.io" denied the request: spec.template.cliques[0].spec.minAvailable: Invalid value: 5: minAvailable must not be greater than replicas',
    );
  });

  it('prefetches the referenced ClusterTopologyBinding through lookupTopology', async () => {
    const obj = defaulted(rawPcs([clique('pca', 2)], { topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'rack' } } }));
    lookups.length = 0;
    topologies = { 'grove-topology': GROVE_TOPOLOGY };
    expect((await post('/webhooks/validate-podcliqueset', review('t-1', 'PodCliqueSet', 'CREATE', obj)))['allowed']).toBe(true);
    expect(lookups).toEqual(['grove-topology']);

    topologies = {};
    const res = await post('/webhooks/validate-podcliqueset', review('t-2', 'PodCliqueSet', 'CREATE', obj));
    expect((res['status'] as Obj)['message']).toBe(
      'spec.template.topologyConstraint.topologyName: Invalid value: "grove-topology": ClusterTopologyBinding "grove-topology" not found',
    );
  });

  it('a PodCliqueSet naming 2,000 different topologies costs no lookup and is denied for the mismatch', async () => {
    const cliques = Array.from({ length: 2000 }, (_, i) => ({ ...clique(`c${i}`, 1), topologyConstraint: { topologyName: `topology-${i}`, pack: { required: 'rack' } } }));
    const obj = defaulted(rawPcs(cliques));
    expect(JSON.stringify(obj).length).toBeGreaterThan(400_000);
    lookups.length = 0;
    const res = await post('/webhooks/validate-podcliqueset', review('amp-1', 'PodCliqueSet', 'CREATE', obj));
    expect(lookups.length).toBeLessThanOrEqual(2);
    expect(lookups).toEqual([]);
    expect(res['allowed']).toBe(false);
    const message = (res['status'] as Obj)['message'] as string;
    expect(message.startsWith(`[spec.template.cliques[0].topologyConstraint.topologyName: Invalid value: "topology-0": ${NAME_MISMATCH}, `)).toBe(true);
  }, 60_000);

  it('an update looks up at most the one name of the new object', async () => {
    const legacy = defaulted(rawPcs([clique('pca', 2)], { topologyConstraint: { packDomain: 'rack' } }));
    const repaired = structuredClone(legacy);
    ((repaired['spec'] as Obj)['template'] as { topologyConstraint: Obj }).topologyConstraint['topologyName'] = 'grove-topology';
    lookups.length = 0;
    topologies = { 'grove-topology': GROVE_TOPOLOGY };
    await post('/webhooks/validate-podcliqueset', review('amp-2', 'PodCliqueSet', 'UPDATE', repaired, legacy));
    const scaled = structuredClone(repaired);
    (scaled['spec'] as Obj)['replicas'] = 3;
    await post('/webhooks/validate-podcliqueset', review('amp-3', 'PodCliqueSet', 'UPDATE', scaled, repaired));
    expect(lookups).toEqual(['grove-topology']);
  });

  it('a topologyName that is not a DNS subdomain is denied naming the field, and nothing is looked up', async () => {
    lookups.length = 0;
    const obj = defaulted(rawPcs([clique('pca', 2)], { topologyConstraint: { topologyName: '..', pack: { required: 'rack' } } }));
    const res = await post('/webhooks/validate-podcliqueset', review('dots-1', 'PodCliqueSet', 'CREATE', obj));
    // The CRD schema's pattern catches it first (the rules check again, see validate.test.ts).
    expect((res['status'] as Obj)['message']).toBe(
      `[spec.template.topologyConstraint.topologyName: Invalid value: "..": spec.template.topologyConstraint.topologyName in body should match '${DNS1123_SUBDOMAIN_PATTERN}', ` +
        '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    );
    expect(lookups).toEqual([]);
  });

  it('a lookup still pending when the handler times out has its signal fired, and the denial names the timeout', async () => {
    const signals: AbortSignal[] = [];
    const { app: slow } = buildWebhookApp({
      tls: { certPem: leaf.certPem, keyPem: leaf.keyPem },
      log: pino({ level: 'silent' }),
      metrics: new Registry(),
      config: { topologyAwareScheduling: true },
      handlerTimeoutMs: 300,
      lookupTopology: (_name, signal) => {
        signals.push(signal);
        return new Promise(() => undefined);
      },
    });
    const obj = defaulted(rawPcs([clique('pca', 2)], { topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'rack' } } }));
    const res = await slow.inject({ method: 'POST', url: '/webhooks/validate-podcliqueset', payload: review('slow-1', 'PodCliqueSet', 'CREATE', obj) });
    expect(res.json<Obj>()['response']).toEqual({
      uid: 'slow-1',
      allowed: false,
      status: { metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'internal error: handler did not answer within 0.3s' },
    });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    expect((signals[0]?.reason as Error).message).toBe('handler did not answer within 0.3s');
    await slow.close();
  }, 30_000);

  it('a failing lookup becomes an internal-error denial', async () => {
    const { app: failing } = buildWebhookApp({
      tls: { certPem: leaf.certPem, keyPem: leaf.keyPem },
      log: pino({ level: 'silent' }),
      metrics: new Registry(),
      config: { topologyAwareScheduling: true },
      lookupTopology: async () => {
        throw new Error('Forbidden (403): clustertopologybindings.grove.io "grove-topology" is forbidden');
      },
    });
    const obj = defaulted(rawPcs([clique('pca', 2)], { topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'rack' } } }));
    const res = await failing.inject({ method: 'POST', url: '/webhooks/validate-podcliqueset', payload: review('t-3', 'PodCliqueSet', 'CREATE', obj) });
    expect(res.statusCode).toBe(200);
    expect(res.json<Obj>()['response']).toMatchObject({
      uid: 't-3',
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: 'internal error: Forbidden (403): clustertopologybindings.grove.io "grove-topology" is forbidden' },
    });
    await failing.close();
  });

  it('update rules apply (cliqueStartupType is immutable)', async () => {
    const old = defaulted(rawPcs([clique('pca', 2)]));
    const next = defaulted(rawPcs([clique('pca', 2)], { cliqueStartupType: 'CliqueStartupTypeInOrder' }));
    const res = await post('/webhooks/validate-podcliqueset', review('u-1', 'PodCliqueSet', 'UPDATE', next, old));
    expect((res['status'] as Obj)['message']).toBe('spec.template.cliqueStartupType: Invalid value: "CliqueStartupTypeInOrder": field is immutable');
  });

  it('structural validation catches wrongly typed fields before the rules run', async () => {
    const obj = defaulted(rawPcs([clique('pca', 2)]));
    ((obj['spec'] as Obj)['template'] as Obj)['cliques'] = [{ name: 'pca', spec: { replicas: 'three', roleName: 'pca', podSpec: { containers: [] } } }];
    const res = await post('/webhooks/validate-podcliqueset', review('s-1', 'PodCliqueSet', 'CREATE', obj));
    expect(res['allowed']).toBe(false);
    expect((res['status'] as Obj)['message']).toContain('spec.template.cliques[0].spec.replicas');
  });

  it('DELETE is always allowed without touching the logic', async () => {
    lookups.length = 0;
    const old = defaulted(rawPcs([clique('pca', 2)], { topologyConstraint: { topologyName: 'grove-topology', pack: { required: 'rack' } } }));
    expect(await post('/webhooks/validate-podcliqueset', review('del-1', 'PodCliqueSet', 'DELETE', null, old))).toEqual({ uid: 'del-1', allowed: true });
    expect(lookups).toEqual([]);
  });

  it('refuses objects of the wrong kind', async () => {
    const res = await post('/webhooks/default-podcliqueset', review('k-1', 'Pod', 'CREATE', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }));
    expect(res).toEqual({
      uid: 'k-1',
      allowed: false,
      status: { metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message: 'this webhook admits grove.io/PodCliqueSet only, got Pod' },
    });
  });

  it('validates ClusterTopologyBindings', async () => {
    const ctb = structuredClone(GROVE_TOPOLOGY);
    ((ctb['spec'] as Obj)['levels'] as Obj[]).push({ domain: 'rack', key: 'example.com/rack2' });
    const res = await post('/webhooks/validate-clustertopology', review('c-1', 'ClusterTopologyBinding', 'CREATE', ctb));
    expect((res['status'] as Obj)['message']).toBe('spec.levels[3].domain: Duplicate value: "rack"');
    expect(await post('/webhooks/validate-clustertopology', review('c-2', 'ClusterTopologyBinding', 'CREATE', GROVE_TOPOLOGY))).toEqual({ uid: 'c-2', allowed: true });
  });

  it("admits a binding's kai-scheduler entry exactly while KAI's Topology CRD is served, and asks only for such a binding", async () => {
    const withKai = structuredClone(GROVE_TOPOLOGY);
    (withKai['spec'] as Obj)['schedulerTopologyBindings'] = [{ schedulerName: 'kai-scheduler', topologyReference: 'gb200' }];
    kaiAsked = 0;
    kaiServed = false;
    const refused = await post('/webhooks/validate-clustertopology', review('k-1', 'ClusterTopologyBinding', 'CREATE', withKai));
    expect((refused['status'] as Obj)['message']).toBe('spec.schedulerTopologyBindings[0].schedulerName: Invalid value: "kai-scheduler": scheduler backend is not enabled in Grove');
    kaiServed = true;
    expect(await post('/webhooks/validate-clustertopology', review('k-2', 'ClusterTopologyBinding', 'UPDATE', withKai, withKai))).toEqual({ uid: 'k-2', allowed: true });
    expect(await post('/webhooks/validate-clustertopology', review('k-3', 'ClusterTopologyBinding', 'CREATE', GROVE_TOPOLOGY))).toEqual({ uid: 'k-3', allowed: true });
    expect(kaiAsked).toBe(2);
  });

  describe('startup webhook', () => {
    const pod = (annotations: Record<string, string> = { 'copse.io/starts-after': 'w-0-a:2' }): Obj => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'w-0-b-', namespace: 'default', labels: { 'app.kubernetes.io/part-of': 'w', 'copse.io/startup-wait': 'true' }, annotations },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });

    it('patches in the init container and its volumes from the pod\'s marks', async () => {
      const obj = pod();
      const res = await post('/webhooks/inject-startup-wait', review('s-1', 'Pod', 'CREATE', obj));
      expect(res['allowed']).toBe(true);
      const ops = JSON.parse(Buffer.from(res['patch'] as string, 'base64').toString()) as JsonPatchOp[];
      const out = applyPatch(obj, ops) as { spec: { initContainers: Obj[]; volumes: Obj[] } };
      expect(out.spec.initContainers.map((c) => [c['name'], c['image'], c['command'], c['args']])).toEqual([
        ['grove-initc', 'copse:0.1.0', ['/nodejs/bin/node', '/app/bin/copse.js', 'initc'], ['--podcliques=w-0-a:2']],
      ]);
      expect(out.spec.volumes.map((v) => v['name'])).toEqual(['sa-token-secret-vol', 'pod-info-vol']);
      // Admitting the result again changes nothing.
      expect(await post('/webhooks/inject-startup-wait', review('s-2', 'Pod', 'CREATE', out))).toEqual({ uid: 's-2', allowed: true });
    });

    it('refuses a malformed mark naming the annotation', async () => {
      const res = await post('/webhooks/inject-startup-wait', review('s-3', 'Pod', 'CREATE', pod({ 'copse.io/starts-after': 'w-0-a:zero' })));
      expect(res['allowed']).toBe(false);
      expect((res['status'] as Obj)['message']).toBe(
        'metadata.annotations[copse.io/starts-after]: Invalid value: "w-0-a:zero": "w-0-a:zero": minAvailable must be a positive integer, got "zero"',
      );
    });

    it('admits only pod CREATE', async () => {
      expect(await post('/webhooks/inject-startup-wait', review('s-4', 'Pod', 'UPDATE', pod({}), pod({})))).toEqual({ uid: 's-4', allowed: true });
      const res = await post('/webhooks/inject-startup-wait', review('s-5', 'PodCliqueSet', 'CREATE', rawPcs([clique('a', 1)])));
      expect((res['status'] as Obj)['message']).toBe('this webhook admits core/v1 Pods only, got grove.io/PodCliqueSet');
    });
  });
});
