// The runtime's only entry point to @kubernetes/client-node (style §7.1): loading a kubeconfig. Its
// auth material (tokens, client certificates, CA) is what kube/http.ts sends with every request;
// the transport, the paths and the bodies are copse's own (kube/http.ts, kube/dynamic.ts).
import { KubeConfig } from '@kubernetes/client-node';

export { KubeConfig };

export interface LoadOptions {
  /** A kubeconfig path; default: $KUBECONFIG, ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  /** Switch to this context after loading. */
  context?: string;
  /** Use the pod's service account only, even if a kubeconfig file exists. */
  inCluster?: boolean;
}

/** Load a KubeConfig from a file or the default chain (client-node's loadFromDefault). */
export function loadKubeConfig(opts: LoadOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (opts.inCluster) kc.loadFromCluster();
  else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) throw new Error(`kubeconfig has no context ${JSON.stringify(opts.context)}`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig has no current cluster');
  return kc;
}
