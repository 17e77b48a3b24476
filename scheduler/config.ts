// The KubeSchedulerConfiguration `extenders` entry that wires copse into kube-scheduler (k8s-wire
// §3.2). The choices, and why:
// - filter and prioritize only; bind stays with kube-scheduler (pods are pinned by nodeSelector when
//   their gate is lifted, so kube-scheduler binds where copse planned without copse in the loop);
// - nodeCacheCapable: kube-scheduler sends node names, not whole Node objects (copse has its own
//   node cache), which keeps a call over thousands of nodes small;
// - ignorable: a copse that is down or slow must not stop the cluster's other pods from scheduling;
//   gang pods are still held by their gates and pinned to planned nodes, so only the protection of
//   reservations from other pods lapses while copse is away;
// - httpTimeout 5s (the default): kube-scheduler waits on every call, and copse answers from memory;
// - no managedResources by default: every pod passes through the filter, because any pod (CPU-only
//   too) could take capacity a gang has reserved on a node. With `marker` (for clusters with native
//   gang scheduling) the entry manages copse's extender marker, ignored by the scheduler, and only the
//   pods copse marks reach the extender (api/desired/extender-marker.ts says why and what it costs);
// - HTTPS verified against copse's CA.
import { EXTENDER_MARKER } from '../api/desired/extender-marker.js';

export interface ExtenderConfigOptions {
  /** e.g. https://127.0.0.1:20006/scheduler or https://copse-extender.copse-system.svc:9444/scheduler */
  urlPrefix: string;
  /** base64 PEM of copse's CA (what goes into caBundle elsewhere). */
  caData?: string;
  weight?: number;
  httpTimeout?: string;
  /** Call the extender only for pods carrying copse's extender marker (serve --extender-marker on). */
  marker?: boolean;
}

export interface ManagedResource {
  name: string;
  ignoredByScheduler: boolean;
}

export interface ExtenderConfig {
  urlPrefix: string;
  filterVerb: 'filter';
  prioritizeVerb: 'prioritize';
  weight: number;
  nodeCacheCapable: true;
  enableHTTPS: true;
  tlsConfig: { caData?: string };
  httpTimeout: string;
  ignorable: true;
  managedResources?: ManagedResource[];
}

export function extenderConfig(o: ExtenderConfigOptions): ExtenderConfig {
  return {
    urlPrefix: o.urlPrefix,
    filterVerb: 'filter',
    prioritizeVerb: 'prioritize',
    weight: o.weight ?? 1,
    nodeCacheCapable: true,
    enableHTTPS: true,
    tlsConfig: o.caData ? { caData: o.caData } : {},
    httpTimeout: o.httpTimeout ?? '5s',
    ignorable: true,
    ...(o.marker ? { managedResources: [{ name: EXTENDER_MARKER, ignoredByScheduler: true }] } : {}),
  };
}

/** The `extenders:` block as YAML (a fragment appended to a KubeSchedulerConfiguration). */
export function extendersYaml(extenders: readonly ExtenderConfig[]): string {
  const lines = ['extenders:'];
  for (const e of extenders) {
    lines.push(`- urlPrefix: ${JSON.stringify(e.urlPrefix)}`);
    lines.push(`  filterVerb: ${e.filterVerb}`, `  prioritizeVerb: ${e.prioritizeVerb}`, `  weight: ${e.weight}`);
    lines.push(`  nodeCacheCapable: ${e.nodeCacheCapable}`, `  enableHTTPS: ${e.enableHTTPS}`);
    lines.push(e.tlsConfig.caData ? `  tlsConfig:\n    caData: ${e.tlsConfig.caData}` : '  tlsConfig: {}');
    lines.push(`  httpTimeout: ${e.httpTimeout}`, `  ignorable: ${e.ignorable}`);
    if (e.managedResources?.length) {
      lines.push('  managedResources:');
      for (const r of e.managedResources) lines.push(`  - name: ${JSON.stringify(r.name)}`, `    ignoredByScheduler: ${r.ignoredByScheduler}`);
    }
  }
  return lines.join('\n') + '\n';
}
