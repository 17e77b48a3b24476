// Raw JSON requests for objects of any kind. client-node's KubernetesObjectApi runs
// known kinds through its typed models on the way out and back, and those models
// silently drop JSON keys they spell differently: a CustomResourceDefinition loses
// every `enum`, `default` and `x-kubernetes-*` in its schema. Here the library is
// used only for what it does well (auth and the discovery of plural names); the
// body goes on the wire exactly as given.
import { ApiException, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';

type Action = 'create' | 'delete' | 'patch' | 'read' | 'list' | 'replace';

/** Exposes the protected path resolution (with its discovery cache) of KubernetesObjectApi. */
class PathResolver extends KubernetesObjectApi {
  uriPath(spec: KubernetesObject, action: Action): Promise<string> {
    return this.specUriPath(spec, action);
  }
}

export interface RawResponse {
  status: number;
  body: unknown;
}

export class RawObjectApi {
  private readonly resolver: PathResolver;

  constructor(private readonly kc: KubeConfig) {
    this.resolver = kc.makeApiClient(PathResolver);
  }

  async send(method: string, path: string, body: unknown, contentType = 'application/json'): Promise<RawResponse> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(path, cluster.server);
    const opts: RequestOptions = { method, headers: { Accept: 'application/json', 'Content-Type': contentType } };
    await this.kc.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const send = url.protocol === 'http:' ? httpRequest : request;
    return new Promise((resolveSend, reject) => {
      const req = send(url, opts, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolveSend({ status, body: text ? (JSON.parse(text) as unknown) : undefined });
            return;
          }
          // Same shape client-node's generated clients throw, so kube/errors.ts classifies it.
          const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
          reject(new ApiException(status, `HTTP-Code: ${status}\nMessage: ${method} ${url.pathname}\nBody: ${text}`, text, headers));
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Server-side apply of any object, sent verbatim as JSON (valid YAML). */
  async apply<T extends KubernetesObject>(obj: T, opts: { fieldManager: string; force: boolean; dryRun?: boolean }): Promise<T> {
    const base = await this.resolver.uriPath(obj, 'patch');
    const q = new URLSearchParams({ fieldManager: opts.fieldManager, force: String(opts.force) });
    if (opts.dryRun) q.set('dryRun', 'All');
    const r = await this.send('PATCH', `${base}?${q.toString()}`, obj, 'application/apply-patch+yaml');
    return r.body as T;
  }
}
