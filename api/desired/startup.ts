// Startup ordering (grove-compat §4.7): the template's clique-level order is resolved into the parent
// PodClique names each generated PodClique waits for (`spec.startsAfter`), and a pod with parents gets an
// init container that waits until every parent has minAvailable Ready pods in the pod's own gang (§4.5
// item 8). The init container only sees pods of its own PodGang, so a scaled gang waits only for
// parents inside its own scaling-group replica.
//
// Grove's step 8 is split in two here. The pod builder only marks a pod with parents
// (`startupWaitMarks`: a label the startup webhook's objectSelector matches and an annotation with the
// resolved `<parent>:<minAvailable>` list); the mutating webhook then injects the init container, its
// volumes and arguments at pod CREATE (`injectStartupWait`). Names, mount paths and the argument format
// are Grove's.
//
//   AnyOrder  no parents (template startsAfter is ignored).
//   InOrder   the clique just before it in `cliques[]`.
//   Explicit  the clique's `startsAfter`.
// In the base gang (standalone cliques, scaling-group replicas j < minAvailable) a parent that is a group
// member expands to all its base replicas `<pcs>-<i>-<g>-<0..M-1>-<parent>`; in a scaled gang (j >= M)
// only parents in the same group count, as `<pcsg>-<j>-<parent>`.

import type { FieldError } from '../field-errors.js';
import type { Pod, V1Container, V1Volume } from '../core/wire.js';
import type { PodCliqueSet, PodCliqueTemplateSpec } from '../generated/types.js';
import {
  ANNOTATION_STARTS_AFTER,
  ANNOTATION_STARTUP_TIMEOUT,
  INIT_CONTAINER_NAME,
  LABEL_PART_OF,
  LABEL_PODGANG,
  LABEL_STARTUP_WAIT,
  LABEL_STARTUP_WAIT_VALUE,
  POD_INFO_MOUNT_PATH,
  SA_TOKEN_MOUNT_PATH,
  VOLUME_POD_INFO,
  VOLUME_SA_TOKEN_SECRET,
} from '../keys.js';
import { isValidLabelValue } from '../rules/k8s-names.js';
import { startupTimeoutProblem } from '../rules/startup-timeout.js';
import { initContainerTokenSecretName, podCliqueName, podCliqueScalingGroupName, pcsgPodCliqueName } from '../names.js';
import {
  cliqueMinAvailable,
  cliqueTemplates,
  findClique,
  groupMinAvailable,
  groupOfClique,
  locatePodCliqueName,
  startupType,
} from './template.js';

/** The clique names a clique waits for, before expansion into PodClique names. */
function parentCliqueNames(pcs: PodCliqueSet, clique: PodCliqueTemplateSpec): string[] {
  switch (startupType(pcs)) {
    case 'CliqueStartupTypeInOrder': {
      const all = cliqueTemplates(pcs);
      const i = all.findIndex((c) => c.name === clique.name);
      const previous = i > 0 ? all[i - 1] : undefined;
      return previous ? [previous.name] : [];
    }
    case 'CliqueStartupTypeExplicit':
      return clique.spec.startsAfter ?? [];
    default:
      return [];
  }
}

/**
 * `spec.startsAfter` of the PodClique for `cliqueName` in PodCliqueSet replica `replica`; for a group
 * member pass its group replica index `groupReplica`.
 */
export function resolveStartsAfter(
  pcs: PodCliqueSet,
  replica: number,
  cliqueName: string,
  groupReplica?: number,
): string[] {
  const clique = findClique(pcs, cliqueName);
  if (!clique) throw new Error(`spec.template.cliques: clique "${cliqueName}" is not defined`);
  const pcsName = pcs.metadata.name ?? '';
  const group = groupOfClique(pcs, cliqueName);
  const scaled = group !== undefined && groupReplica !== undefined && groupReplica >= groupMinAvailable(group);
  const out: string[] = [];
  for (const parent of parentCliqueNames(pcs, clique)) {
    const parentGroup = groupOfClique(pcs, parent);
    if (scaled) {
      // Only a parent in the same scaling-group replica is in this gang.
      if (parentGroup === group) {
        out.push(pcsgPodCliqueName(podCliqueScalingGroupName(pcsName, replica, group.name), groupReplica, parent));
      }
    } else if (parentGroup) {
      const pcsgFqn = podCliqueScalingGroupName(pcsName, replica, parentGroup.name);
      for (let j = 0; j < groupMinAvailable(parentGroup); j++) out.push(pcsgPodCliqueName(pcsgFqn, j, parent));
    } else {
      out.push(podCliqueName(pcsName, replica, parent));
    }
  }
  return [...new Set(out)];
}

/** A parent PodClique and how many of its pods must be Ready. */
export interface ParentRequirement {
  podClique: string;
  minAvailable: number;
}

/**
 * The parents of a PodClique with their template `minAvailable`, in `startsAfter` order. The parent's
 * template is found by exact name (Grove's suffix match can pick the wrong clique, §10.9); an unknown
 * parent is an Error naming the field.
 */
export function startupParents(pcs: PodCliqueSet, startsAfter: readonly string[]): ParentRequirement[] {
  return startsAfter.map((parent, i) => {
    const where = locatePodCliqueName(pcs, parent);
    if (!where) throw new Error(`spec.startsAfter[${i}]: "${parent}" is not a PodClique of PodCliqueSet "${pcs.metadata.name ?? ''}"`);
    return { podClique: parent, minAvailable: cliqueMinAvailable(where.clique) };
  });
}

/** `<parent>:<minAvailable>`, the unit of both the annotation and Grove's `--podcliques` argument. */
export function formatParent(p: ParentRequirement): string {
  return `${p.podClique}:${p.minAvailable}`;
}

/**
 * Parse `<parent>:<minAvailable>`: the parent must be a valid label value (the init program selects
 * its pods by the `grove.io/podclique` label) and minAvailable a positive integer. Returns the
 * requirement, or a message saying what is wrong.
 */
export function parseParent(text: string): ParentRequirement | string {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return `"${text}" must be <podclique>:<minAvailable>`;
  const podClique = text.slice(0, colon);
  const min = text.slice(colon + 1);
  if (podClique === '') return `"${text}": the PodClique name is empty`;
  const nameErrors = isValidLabelValue(podClique);
  if (nameErrors.length > 0) return `"${text}": PodClique name ${nameErrors.join('; ')}`;
  if (!/^[1-9][0-9]{0,8}$/.test(min)) return `"${text}": minAvailable must be a positive integer, got "${min}"`;
  return { podClique, minAvailable: Number(min) };
}

/** Parse a list of `<parent>:<minAvailable>`; a parent named twice is an error. */
export function parseParents(items: readonly string[]): { parents: ParentRequirement[]; problems: string[] } {
  const parents: ParentRequirement[] = [];
  const problems: string[] = [];
  for (const item of items) {
    const p = parseParent(item);
    if (typeof p === 'string') problems.push(p);
    else if (parents.some((q) => q.podClique === p.podClique)) problems.push(`"${p.podClique}" is listed twice`);
    else parents.push(p);
  }
  return { parents, problems };
}

/**
 * Grove's init-container arguments, `--podcliques=<parent>:<minAvailable>` per parent, then copse's
 * `--timeout` when the pod has one.
 */
export function initContainerArgs(parents: readonly ParentRequirement[], timeout?: string): string[] {
  return [...parents.map((p) => `--podcliques=${formatParent(p)}`), ...(timeout === undefined ? [] : [`--timeout=${timeout}`])];
}

/**
 * The label and annotation the pod builder puts on a pod that must wait for `parents`; nothing when
 * there are none. The label is what the startup webhook's objectSelector matches.
 */
export function startupWaitMarks(parents: readonly ParentRequirement[]): { labels: Record<string, string>; annotations: Record<string, string> } | undefined {
  if (parents.length === 0) return undefined;
  return {
    labels: { [LABEL_STARTUP_WAIT]: LABEL_STARTUP_WAIT_VALUE },
    annotations: { [ANNOTATION_STARTS_AFTER]: parents.map(formatParent).join(',') },
  };
}

/** The init container's image and command (the command runs `copse initc`; the image decides how). */
export interface InitContainerConfig {
  image: string;
  command: string[];
}

/** The volumes the init container reads: the token Secret and the pod's namespace and gang (downward API). */
export function initContainerVolumes(pcsName: string): V1Volume[] {
  return [
    { name: VOLUME_SA_TOKEN_SECRET, secret: { secretName: initContainerTokenSecretName(pcsName), defaultMode: 420 } },
    {
      name: VOLUME_POD_INFO,
      downwardAPI: {
        items: [
          { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
          { path: 'podgangname', fieldRef: { fieldPath: `metadata.labels['${LABEL_PODGANG}']` } },
        ],
      },
    },
  ];
}

/**
 * Grove's init container, plus what Grove leaves out: a restricted security context (so namespaces
 * enforcing the `restricted` Pod Security Standard admit it) and FallbackToLogsOnError, so the message
 * of a failed wait shows in the pod's status even where the termination-log file cannot be written.
 */
export function initContainer(parents: readonly ParentRequirement[], config: InitContainerConfig, timeout?: string): V1Container {
  return {
    name: INIT_CONTAINER_NAME,
    image: config.image,
    command: [...config.command],
    args: initContainerArgs(parents, timeout),
    volumeMounts: [
      { name: VOLUME_POD_INFO, mountPath: POD_INFO_MOUNT_PATH, readOnly: true },
      { name: VOLUME_SA_TOKEN_SECRET, mountPath: SA_TOKEN_MOUNT_PATH, readOnly: true },
    ],
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

const STARTS_AFTER_FIELD = `metadata.annotations[${ANNOTATION_STARTS_AFTER}]`;
const STARTUP_TIMEOUT_FIELD = `metadata.annotations[${ANNOTATION_STARTUP_TIMEOUT}]`;

/** The pod's startup timeout, if it has one; a field error when the value is not a usable duration. */
export function markedTimeout(pod: Pod): { timeout: string | undefined; errors: FieldError[] } {
  const value = pod.metadata?.annotations?.[ANNOTATION_STARTUP_TIMEOUT];
  if (value === undefined) return { timeout: undefined, errors: [] };
  const problem = startupTimeoutProblem(value);
  return problem ? { timeout: undefined, errors: [{ type: 'Invalid', field: STARTUP_TIMEOUT_FIELD, value, detail: problem }] } : { timeout: value, errors: [] };
}

/** The parents a marked pod waits for, from its annotation; field errors when it is missing or malformed. */
export function markedParents(pod: Pod): { parents: ParentRequirement[]; errors: FieldError[] } {
  const value = pod.metadata?.annotations?.[ANNOTATION_STARTS_AFTER];
  if (value === undefined || value.trim() === '') {
    return { parents: [], errors: [{ type: 'Required', field: STARTS_AFTER_FIELD, detail: `a pod labelled ${LABEL_STARTUP_WAIT}=${LABEL_STARTUP_WAIT_VALUE} must name its parents as <podclique>:<minAvailable>[,...]` }] };
  }
  const { parents, problems } = parseParents(value.split(',').map((s) => s.trim()));
  return { parents, errors: problems.map((detail) => ({ type: 'Invalid', field: STARTS_AFTER_FIELD, value, detail })) };
}

export type InjectionResult = { pod: Pod; injected: boolean } | { errors: FieldError[] };

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A marked pod with the startup wait injected: the two volumes appended to its volumes and the init
 * container last among its init containers, so the user's init containers run first. A pod that
 * already carries exactly this init container is returned unchanged (`injected: false`); one whose
 * volumes or init containers already use the reserved names otherwise is refused, as is a pod
 * without its PodCliqueSet label or with an unreadable parents or timeout annotation.
 */
export function injectStartupWait(pod: Pod, config: InitContainerConfig): InjectionResult {
  const { parents, errors } = markedParents(pod);
  const { timeout, errors: timeoutErrors } = markedTimeout(pod);
  errors.push(...timeoutErrors);
  const pcsName = pod.metadata?.labels?.[LABEL_PART_OF];
  if (!pcsName) errors.push({ type: 'Required', field: `metadata.labels[${LABEL_PART_OF}]`, detail: 'the PodCliqueSet whose token Secret the init container mounts' });
  if (errors.length > 0 || !pcsName) return { errors };

  const spec = pod.spec ?? { containers: [] };
  const container = initContainer(parents, config, timeout);
  const volumes = initContainerVolumes(pcsName);
  const initContainers = spec.initContainers ?? [];
  const existing = initContainers.findIndex((c) => c.name === INIT_CONTAINER_NAME);
  if (existing >= 0) {
    const same = sameJson(initContainers[existing], container) && volumes.every((v) => (spec.volumes ?? []).some((w) => sameJson(v, w)));
    if (same) return { pod, injected: false };
    return { errors: [{ type: 'Invalid', field: `spec.initContainers[${existing}].name`, value: INIT_CONTAINER_NAME, detail: 'the name is reserved for copse\'s startup-ordering init container' }] };
  }
  const clashes = (spec.volumes ?? []).flatMap((v, i) =>
    volumes.some((w) => w.name === v.name)
      ? [{ type: 'Invalid' as const, field: `spec.volumes[${i}].name`, value: v.name, detail: 'the name is reserved for the volumes of copse\'s startup-ordering init container' }]
      : [],
  );
  if (clashes.length > 0) return { errors: clashes };
  return {
    pod: { ...pod, spec: { ...spec, volumes: [...(spec.volumes ?? []), ...volumes], initContainers: [...initContainers, container] } },
    injected: true,
  };
}
