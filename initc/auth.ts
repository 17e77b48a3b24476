// Service-account auth for `copse initc` without @kubernetes/client-node: the token file and the CA
// file the container mounts, re-read whenever KubeHttp refreshes its auth (every minute), so a
// rotated token is picked up. Loading client-node costs about 1.5 s of CPU, paid by every pod that
// waits for parents; this is all the init program needs of it.
import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import type { KubeAuthSource } from '../kube/http.js';

type Cluster = NonNullable<ReturnType<KubeAuthSource['getCurrentCluster']>>;

export class ServiceAccountAuth implements KubeAuthSource {
  constructor(
    private readonly server: string,
    private readonly tokenFile: string,
    private readonly caFile: string,
  ) {}

  getCurrentCluster(): Cluster {
    return { name: 'api', server: this.server, skipTLSVerify: false, caFile: this.caFile };
  }

  async applyToHTTPSOptions(opts: Parameters<KubeAuthSource['applyToHTTPSOptions']>[0]): Promise<void> {
    const o = opts as RequestOptions & { headers?: Record<string, string> };
    o.ca = readFileSync(this.caFile);
    o.rejectUnauthorized = true;
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    headers['Authorization'] = `Bearer ${readFileSync(this.tokenFile, 'utf8').trim()}`;
    o.headers = headers;
  }
}
