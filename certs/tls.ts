// TLS settings of every server copse runs: the webhook server now, the scheduler extender and the
// aggregated API server when they arrive. Node's default minimum is already TLS 1.2, but a process
// flag (`--tls-min-v1.0`, NODE_OPTIONS) or another module can lower that default for the whole
// process; stating the minimum per server keeps ours where kube-apiserver's own is.
import type { SecureVersion } from 'node:tls';
import { issueCert, newCa } from './issue.js';

export const MIN_TLS_VERSION: SecureVersion = 'TLSv1.2';

/** The options for `https.createServer` / `setSecureContext` that serve `cert`. */
export function serverTlsOptions(cert: { certPem: string; keyPem: string }): { cert: string; key: string; minVersion: SecureVersion } {
  return { cert: cert.certPem, key: cert.keyPem, minVersion: MIN_TLS_VERSION };
}

/**
 * A throwaway self-signed certificate for a server that must listen (probes, TLS handshakes) before
 * its real certificate arrives; such a server reports not ready until then.
 */
export function placeholderCertificate(now: Date): { certPem: string; keyPem: string } {
  const ca = newCa({ commonName: 'copse-placeholder-ca', now, validDays: 2 });
  const leaf = issueCert(ca, { commonName: 'copse-placeholder', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server', now, validDays: 1 });
  return { certPem: leaf.certPem, keyPem: leaf.keyPem };
}
