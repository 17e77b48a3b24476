// Decisions of the local init-container runner (cluster/initc-runner.ts), pure. Simulated nodes run
// no containers, so for pods on kwok nodes that carry copse's init container the runner plays the
// kubelet for that one container: it materialises the container's volumes (downward-API files, the
// service-account token), runs the very same `copse initc` program as a local process, and reports
// the exit on the pod in the annotations below, which a kwok Stage (cluster/kwok-stages.ts) turns
// into the init container's status. None of this exists on a real cluster.
import type { Pod, V1Container, V1Volume } from '../api/core/wire.js';
import { isTerminating } from '../api/desired/meta.js';
import { INIT_CONTAINER_NAME, POD_INFO_MOUNT_PATH, SA_TOKEN_MOUNT_PATH } from '../api/keys.js';

/** The runner's report, read by the kwok stages: the exit code first of all. */
export const ANNOTATION_INITC_EXIT_CODE = 'sim.copse.io/initc-exit-code';
/** The termination message (or the tail of the output), as a kubelet would report it. */
export const ANNOTATION_INITC_MESSAGE = 'sim.copse.io/initc-message';
/** RFC 3339 with milliseconds: when the program started and exited (the status keeps whole seconds only). */
export const ANNOTATION_INITC_STARTED_AT = 'sim.copse.io/initc-started-at';
export const ANNOTATION_INITC_FINISHED_AT = 'sim.copse.io/initc-finished-at';

/** A kubelet keeps at most 4096 bytes of a termination message; so does the runner. */
export const MAX_MESSAGE_BYTES = 4096;

/** Which `copse initc` flag points the program at what a mount path holds in a container. */
const MOUNT_FLAGS: Readonly<Record<string, string>> = {
  [POD_INFO_MOUNT_PATH]: '--pod-info-dir',
  [SA_TOKEN_MOUNT_PATH]: '--service-account-dir',
};

export function initContainerOf(pod: Pod): V1Container | undefined {
  return pod.spec?.initContainers?.find((c) => c.name === INIT_CONTAINER_NAME);
}

/** The `copse initc` arguments of the pod's init container; undefined when it does not run `copse initc`. */
export function initcArgs(container: V1Container): string[] | undefined {
  const command = container.command ?? [];
  const at = command.lastIndexOf('initc');
  if (at < 0) return undefined;
  return [...command.slice(at + 1), ...(container.args ?? [])];
}

/** Whether the runner should start the init program for this pod now. */
export function shouldRun(pod: Pod, isSimulatedNode: (name: string) => boolean): boolean {
  const node = pod.spec?.nodeName;
  if (!node || !isSimulatedNode(node) || isTerminating(pod)) return false;
  if (pod.status?.phase !== undefined && pod.status.phase !== 'Pending') return false;
  if (pod.metadata?.annotations?.[ANNOTATION_INITC_EXIT_CODE] !== undefined) return false;
  const c = initContainerOf(pod);
  return c !== undefined && initcArgs(c) !== undefined;
}

/** One volume the init container mounts, and the flag that tells `copse initc` where it is. */
export interface MountPlan {
  flag: string;
  volume: V1Volume;
}

/** The mounts of the init container the runner must provide; an error names what it cannot provide. */
export function mountPlan(pod: Pod): MountPlan[] | string {
  const c = initContainerOf(pod);
  if (!c) return `pod has no ${INIT_CONTAINER_NAME} init container`;
  const out: MountPlan[] = [];
  for (const m of c.volumeMounts ?? []) {
    const flag = MOUNT_FLAGS[m.mountPath];
    if (!flag) return `${INIT_CONTAINER_NAME} mounts ${m.mountPath}, which copse initc has no flag for`;
    const volume = pod.spec?.volumes?.find((v) => v.name === m.name);
    if (!volume) return `${INIT_CONTAINER_NAME} mounts volume "${m.name}", which the pod does not define`;
    if (!volume.downwardAPI && !volume.secret) return `volume "${m.name}" is neither a downward-API nor a secret volume`;
    out.push({ flag, volume });
  }
  return out;
}

const FIELD_PATH = /^metadata\.(labels|annotations)\['([^']+)'\]$/;

/** The plain downward-API fields the runner resolves; others are refused by name. */
const SIMPLE_FIELDS: Readonly<Record<string, (pod: Pod) => string | undefined>> = {
  'metadata.namespace': (pod) => pod.metadata?.namespace,
  'metadata.name': (pod) => pod.metadata?.name,
  'metadata.uid': (pod) => pod.metadata?.uid,
  'spec.nodeName': (pod) => pod.spec?.nodeName,
  'spec.serviceAccountName': (pod) => pod.spec?.serviceAccountName,
};

/** The value a downward-API fieldRef resolves to, or an error naming the field path. */
export function fieldRefValue(pod: Pod, fieldPath: string): string | { error: string } {
  const m = FIELD_PATH.exec(fieldPath);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[m[2] ?? ''] ?? '';
  }
  const field = Object.hasOwn(SIMPLE_FIELDS, fieldPath) ? SIMPLE_FIELDS[fieldPath] : undefined;
  if (!field) return { error: `downward-API field "${fieldPath}" is not simulated` };
  return field(pod) ?? '';
}

/** The files of a downward-API volume (path → content), or an error. */
export function downwardApiFiles(pod: Pod, volume: V1Volume): { files: Record<string, string> } | { error: string } {
  const files: Record<string, string> = {};
  for (const item of volume.downwardAPI?.items ?? []) {
    if (!item.fieldRef) return { error: `downward-API item "${item.path}" has no fieldRef (resource fields are not simulated)` };
    if (item.path.split('/').some((s) => s === '..' || s === '')) return { error: `downward-API item path "${item.path}" is not a plain relative path` };
    const v = fieldRefValue(pod, item.fieldRef.fieldPath);
    if (typeof v !== 'string') return v;
    files[item.path] = v;
  }
  return { files };
}

/** `s` cut to at most `max` UTF-8 bytes, keeping the end (the last lines say what went wrong). */
export function tailBytes(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= max) return s;
  return buf.subarray(buf.length - max).toString('utf8').replace(/^\uFFFD+/, '');
}

export interface InitcExit {
  exitCode: number;
  /** The termination-log file's content, if the program wrote one. */
  terminationLog: string;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * The annotations that report an exit. The message follows the container's policy: the termination
 * log, or (FallbackToLogsOnError) the tail of the output when the program failed without writing one.
 */
export function resultAnnotations(r: InitcExit, fallbackToLogs: boolean): Record<string, string> {
  let message = r.terminationLog.trim();
  if (message === '' && fallbackToLogs && r.exitCode !== 0) message = tailBytes(r.output.trim(), 2048);
  return {
    [ANNOTATION_INITC_EXIT_CODE]: String(r.exitCode),
    [ANNOTATION_INITC_MESSAGE]: tailBytes(message, MAX_MESSAGE_BYTES),
    [ANNOTATION_INITC_STARTED_AT]: r.startedAt.toISOString(),
    [ANNOTATION_INITC_FINISHED_AT]: r.finishedAt.toISOString(),
  };
}
