// The default ClusterTopologyBinding lookup: what it refuses to ask for, what it refuses to believe,
// and that its GET (kube/'s DynamicClient) really goes away when the signal fires (a loopback HTTP
// server stands in for the apiserver).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '../kube/client.js';
import { DynamicClient, FIELD_MANAGERS } from '../kube/dynamic.js';
import { KubeHttp } from '../kube/http.js';
import { resourcePath, type Resource } from '../kube/resources.js';
import { kaiTopologyCheck, notTheTopology, topologyLookup, type ObjectReader } from './topology-lookup.js';

const CTB = { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: 'grove-topology' }, spec: { levels: [] } };
/** What `GET /apis/grove.io/v1alpha1/clustertopologybindings/..` returns once the client has resolved the `..`. */
const DISCOVERY = { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'grove.io/v1alpha1', resources: [] };

const never = new AbortController().signal;

describe('topologyLookup', () => {
  const recording = (answer: unknown): { get: ObjectReader; paths: string[] } => {
    const paths: string[] = [];
    const tryGet = async (r: Resource, name: string): Promise<unknown> => (paths.push(resourcePath(r, { name })), answer);
    return { paths, get: { tryGet } as unknown as ObjectReader };
  };

  it('GETs the object by its encoded path and returns it', async () => {
    const r = recording(CTB);
    expect(await topologyLookup(r.get)('grove-topology', never)).toEqual(CTB);
    expect(r.paths).toEqual(['/apis/grove.io/v1alpha1/clustertopologybindings/grove-topology']);
    expect(await topologyLookup(recording(undefined).get)('grove-topology', never)).toBeUndefined();
  });

  it.each(['..', '.', 'a/b', 'Grove'])('refuses to look up %j and sends nothing', async (name) => {
    const r = recording(DISCOVERY);
    await expect(topologyLookup(r.get)(name, never)).rejects.toThrow(`refusing to look up ClusterTopologyBinding ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain`);
    expect(r.paths).toEqual([]);
  });

  it('does not take a discovery document, or another object, for the ClusterTopologyBinding', async () => {
    await expect(topologyLookup(recording(DISCOVERY).get)('grove-topology', never)).rejects.toThrow(
      'GET /apis/grove.io/v1alpha1/clustertopologybindings/grove-topology did not return the object asked for: ' +
        'expected grove.io/v1alpha1 ClusterTopologyBinding "grove-topology", got "v1" "APIResourceList" named null',
    );
    expect(notTheTopology({ ...CTB, metadata: { name: 'other' } }, 'grove-topology')).toBe(
      'expected grove.io/v1alpha1 ClusterTopologyBinding "grove-topology", got "grove.io/v1alpha1" "ClusterTopologyBinding" named "other"',
    );
    expect(notTheTopology({ ...CTB, apiVersion: 'grove.io/v1beta9' }, 'grove-topology')).toMatch(/got "grove.io\/v1beta9"/);
    expect(notTheTopology(CTB, 'grove-topology')).toBeUndefined();
  });
});

describe('kaiTopologyCheck', () => {
  it("GETs KAI's Topology CRD by name and reads it as the controller does", async () => {
    const paths: string[] = [];
    const reader = (answer: unknown): ObjectReader => ({ tryGet: async (r: Resource, name: string) => (paths.push(resourcePath(r, { name })), answer) }) as unknown as ObjectReader;
    const served = { metadata: { name: 'topologies.kai.scheduler' }, spec: { versions: [{ name: 'v1alpha1', served: true }] }, status: { conditions: [{ type: 'Established', status: 'True' }] } };
    expect(await kaiTopologyCheck(reader(served))(never)).toBe(true);
    expect(await kaiTopologyCheck(reader(undefined))(never)).toBe(false);
    expect(paths).toEqual(['/apis/apiextensions.k8s.io/v1/customresourcedefinitions/topologies.kai.scheduler', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/topologies.kai.scheduler']);
  });
});

describe('topologyLookup over a DynamicClient, against a loopback server', () => {
  let server: Server;
  const seen: { url: string; auth: string | undefined }[] = [];
  const hanging: ServerResponse[] = [];
  let closedWhileHanging = 0;
  let lookup: ReturnType<typeof topologyLookup>;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      if (req.url?.endsWith('/grove-topology')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(CTB));
      if (req.url?.endsWith('/forbidden')) {
        return void res
          .writeHead(403, { 'content-type': 'application/json' })
          .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'clustertopologybindings.grove.io "forbidden" is forbidden' }));
      }
      if (req.url?.endsWith('/hang')) {
        hanging.push(res);
        req.socket.once('close', () => closedWhileHanging++);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    lookup = topologyLookup(new DynamicClient(new KubeHttp(kc), FIELD_MANAGERS.test));
  });
  afterAll(async () => {
    for (const r of hanging) r.destroy();
    await new Promise((r) => server.close(r));
  });

  it('returns the object, undefined for 404, and fails on other statuses, with the kubeconfig credentials', async () => {
    expect(await lookup('grove-topology', never)).toEqual(CTB);
    expect(await lookup('gone', never)).toBeUndefined();
    await expect(lookup('forbidden', never)).rejects.toMatchObject({ kind: 'Forbidden', message: expect.stringContaining('clustertopologybindings.grove.io "forbidden" is forbidden') });
    expect(seen[0]).toEqual({ url: '/apis/grove.io/v1alpha1/clustertopologybindings/grove-topology', auth: 'Bearer secret-token' });
  });

  it('closes the request when the signal fires', async () => {
    const controller = new AbortController();
    const pending = lookup('hang', controller.signal);
    await expect.poll(() => hanging.length).toBe(1);
    controller.abort(new Error('handler did not answer within 8s'));
    await expect(pending).rejects.toThrow();
    await expect.poll(() => closedWhileHanging).toBe(1);
  });
});
