// TLS settings of every server copse runs: the webhook server now, the scheduler extender and the
// aggregated API server when they arrive. Node's default minimum is already TLS 1.2, but a process
// flag (`--tls-min-v1.0`, NODE_OPTIONS) or another module can lower that default for the whole
// process; stating the minimum per server keeps ours where kube-apiserver's own is.
import type { SecureVersion } from 'node:tls';

export const MIN_TLS_VERSION: SecureVersion = 'TLSv1.2';

/** The options for `https.createServer` / `setSecureContext` that serve `cert`. */
export function serverTlsOptions(cert: { certPem: string; keyPem: string }): { cert: string; key: string; minVersion: SecureVersion } {
  return { cert: cert.certPem, key: cert.keyPem, minVersion: MIN_TLS_VERSION };
}
