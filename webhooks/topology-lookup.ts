// The default HandlerContext.lookupTopology: one GET of clustertopologybindings.grove.io/<name>,
// cancelled when the request's signal fires. An informer cache can replace it behind the same
// interface.
//
// The name comes from an untrusted object. The rules refuse a topologyName that is not a DNS
// subdomain before anything is fetched, and this lookup refuses one again; the path is built from
// encoded segments (api/paths.ts). What comes back is trusted only if it really is the
// ClusterTopologyBinding asked for: a path that resolved elsewhere (the group's discovery document,
// say) must not read as "found".
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KINDS } from '../api/kinds.js';
import { customResourcePath } from '../api/paths.js';
import { isDNS1123Subdomain } from '../api/rules/k8s-names.js';
import { asObject } from '../api/rules/untyped.js';
import type { KubeConfig } from '../kube/client.js';
import type { HandlerContext } from './registry.js';

/**
 * The one read the lookup needs from kube/: GET an API path as JSON, `undefined` when the object
 * does not exist (404), the request closed when `signal` fires.
 */
export type GetJson = (path: string, signal: AbortSignal) => Promise<unknown>;

function statusMessage(status: number, body: string): string {
  try {
    const message = asObject(JSON.parse(body))?.['message'];
    if (typeof message === 'string') return `${status}: ${message}`;
  } catch {
    /* not a Status */
  }
  return `${status}: ${body.slice(0, 200)}`;
}

/**
 * GetJson with a kubeconfig's server, credentials and TLS settings. kube/raw.ts's client takes no
 * signal yet; once it does, this goes.
 */
export function kubeconfigGetJson(kc: KubeConfig): GetJson {
  return async (path, signal) => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(path, cluster.server);
    const opts: RequestOptions = { method: 'GET', headers: { Accept: 'application/json' }, signal };
    await kc.applyToHTTPSOptions(opts);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolveGet, reject) => {
      const req = send(url, opts, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 404) resolveGet(undefined);
          else if (status >= 200 && status < 300) resolveGet(text ? (JSON.parse(text) as unknown) : undefined);
          else reject(new Error(`GET ${url.pathname}: ${statusMessage(status, text)}`));
        });
      });
      req.on('error', reject);
      req.end();
    });
  };
}

/** Why `obj` is not the ClusterTopologyBinding `name`, or undefined when it is. */
export function notTheTopology(obj: unknown, name: string): string | undefined {
  const k = KINDS.ClusterTopologyBinding;
  const o = asObject(obj);
  const gotName = asObject(o?.['metadata'])?.['name'];
  if (o?.['apiVersion'] === k.apiVersion && o['kind'] === k.kind && gotName === name) return undefined;
  const got = `${JSON.stringify(o?.['apiVersion'] ?? null)} ${JSON.stringify(o?.['kind'] ?? null)} named ${JSON.stringify(gotName ?? null)}`;
  return `expected ${k.apiVersion} ${k.kind} ${JSON.stringify(name)}, got ${got}`;
}

/** lookupTopology over `get`: checks the name before the request and the object after it. */
export function topologyLookup(get: GetJson): HandlerContext['lookupTopology'] {
  const k = KINDS.ClusterTopologyBinding;
  return async (name, signal) => {
    const problems = isDNS1123Subdomain(name);
    if (problems.length > 0) throw new Error(`refusing to look up ${k.kind} ${JSON.stringify(name)}: ${problems.join('; ')}`);
    const path = customResourcePath(k, name);
    const obj = await get(path, signal);
    if (obj === undefined || obj === null) return undefined;
    const wrong = notTheTopology(obj, name);
    if (wrong) throw new Error(`GET ${path} did not return the object asked for: ${wrong}`);
    return obj as Record<string, unknown>;
  };
}
