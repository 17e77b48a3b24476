// API request latency by verb, resource and code: the view of how hard copse leans on
// kube-apiserver, and how the apiserver answers.
import { defaultRegistry, type Registry } from './metrics.js';
import type { RequestObserver } from './http.js';

/** `/apis/grove.io/v1alpha1/namespaces/x/podcliques/y/status` → `podcliques/status`. */
export function resourceOfPath(path: string): string {
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  let i = parts[0] === 'api' ? 2 : parts[0] === 'apis' ? 3 : parts.length;
  if (parts[i] === 'namespaces' && parts.length > i + 2) i += 2;
  const resource = parts[i] ?? 'other';
  const sub = parts[i + 2];
  return sub ? `${resource}/${sub}` : resource;
}

export function kubeRequestObserver(registry: Registry = defaultRegistry): RequestObserver {
  const h = registry.histogram('copse_kube_request_duration_seconds', 'Requests to kube-apiserver by verb, resource and HTTP code (0: no answer).', ['verb', 'resource', 'code']);
  return (verb, path, code, seconds) => h.observe({ verb, resource: resourceOfPath(path), code: String(code) }, seconds);
}
