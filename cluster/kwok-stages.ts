// kwok has no built-in lifecycle: it acts only on the Stage objects it is given.
// These stages make simulated nodes Ready and keep them heartbeating, bring
// scheduled pods to Running/Ready (their init containers complete at once), and
// finish deletions. A pod with copse's startup-ordering init container (grove-initc)
// is different: it is held in its init phase until the local runner
// (cluster/initc-runner.ts) has run the real `copse initc` for it and reported the
// exit on the pod; exit 0 makes it Running/Ready, any other exit fails the init
// container with the program's message. kwok picks at random among matching stages,
// so the pod stages are written to exclude each other.
import { INIT_CONTAINER_NAME } from '../api/keys.js';
import { ANNOTATION_INITC_EXIT_CODE, ANNOTATION_INITC_FINISHED_AT, ANNOTATION_INITC_MESSAGE, ANNOTATION_INITC_STARTED_AT } from './initc-plan.js';

// kwok's NodeConditions are the usual Ready/MemoryPressure/... set, all healthy.
const nodeConditions = `      {{ $now := Now }}
      conditions:
      {{ range NodeConditions }}
      - type: {{ .type | Quote }}
        status: {{ .status | Quote }}
        reason: {{ .reason | Quote }}
        message: {{ .message | Quote }}
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
      {{ end }}
`;

/** A kwok Stage for `kind` objects: its selector expressions and delay (already indented), then what comes next. */
function stage(kind: 'Node' | 'Pod', name: string, expressions: string, next: string, delay = ''): string {
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ${name}
spec:
  resourceRef:
    apiGroup: v1
    kind: ${kind}
  selector:
    matchExpressions:
${expressions}${delay}  next:
${next}`;
}

const statusNext = (statusTemplate: string): string => `    statusTemplate: |
${statusTemplate}`;

const notReady = `    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: NotIn
      values: ['True']
`;

const nodeReady = stage(
  'Node',
  'copse-node-ready',
  notReady,
  statusNext(`${nodeConditions}      addresses:
      - type: InternalIP
        address: {{ NodeIP | Quote }}
      - type: Hostname
        address: {{ NodeName | Quote }}
      allocatable:
      {{ YAML .status.allocatable 1 }}
      capacity:
      {{ YAML .status.capacity 1 }}
      nodeInfo:
        architecture: amd64
        operatingSystem: linux
        kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
        kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
        containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
        kernelVersion: {{ printf "kwok-%s" Version | Quote }}
        osImage: copse-simulated
        machineID: ""
        systemUUID: ""
        bootID: ""
      phase: Running
`),
);

// Leases carry the real liveness signal (kwok renews them); this only refreshes
// the condition timestamps now and then, as a kubelet would.
const nodeHeartbeat = stage(
  'Node',
  'copse-node-heartbeat',
  `    - key: '.status.phase'
      operator: In
      values: ['Running']
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: In
      values: ['True']
`,
  statusNext(nodeConditions),
  `  delay:
    durationMilliseconds: 300000
    jitterDurationMilliseconds: 330000
`,
);

const hasInitc = `'.spec.initContainers.[] | select( .name == "${INIT_CONTAINER_NAME}" ) | .name'`;
const initcStatus = `.status.initContainerStatuses.[] | select( .name == "${INIT_CONTAINER_NAME}" )`;
const exitCode = `'.metadata.annotations["${ANNOTATION_INITC_EXIT_CODE}"]'`;

/**
 * A simulation hook, not a Kubernetes feature: a pod annotated `sim.copse.io/ready: "false"` runs but
 * never reports Ready, as with a failing readiness probe, until the annotation is removed or changed
 * (then it turns Ready); setting it on a Ready pod turns the pod unready. Tests use it for parents that
 * never become ready and for cliques that lose their minimum.
 */
export const ANNOTATION_SIM_READY = 'sim.copse.io/ready';
const simReady = `'.metadata.annotations["${ANNOTATION_SIM_READY}"]'`;
const notHeldUnready = `    - key: ${simReady}
      operator: NotIn
      values: ['false']
`;
const heldUnready = `    - key: ${simReady}
      operator: In
      values: ['false']
`;
// Pending, bound to a node and not being deleted: what every pod stage starts from.
const scheduledPending = `    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Pending']
    - key: '.spec.nodeName'
      operator: Exists
`;

// Addresses once: a pod held in its init phase has them already, and kwok would hand out another
// pod IP, which a second entry in status.podIPs makes invalid.
const podAddresses = `      {{ if not .status.podIP }}
      {{ with NodeIPsWith .spec.nodeName }}
      hostIP: {{ index . 0 | Quote }}
      hostIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      {{ with PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      podIP: {{ index . 0 | Quote }}
      podIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      {{ end }}
`;

// Running with every container started, Ready unless held unready (ANNOTATION_SIM_READY); copse's
// init container finished at the times the runner reported (user init containers complete at once).
const runningStatus = (ready: boolean): string => `      {{ $now := Now }}
      {{ $ann := or .metadata.annotations dict }}
      phase: Running
      startTime: {{ or .status.startTime $now | Quote }}
      conditions:
      - type: PodReadyToStartContainers
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
      - type: Initialized
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
      - type: ContainersReady
        status: "${ready ? 'True' : 'False'}"
${ready ? '' : '        reason: ContainersNotReady\n'}        lastTransitionTime: {{ $now | Quote }}
      - type: Ready
        status: "${ready ? 'True' : 'False'}"
${ready ? '' : '        reason: ContainersNotReady\n'}        lastTransitionTime: {{ $now | Quote }}
      {{ range .spec.readinessGates }}
      - type: {{ .conditionType | Quote }}
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
      {{ end }}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: true
        restartCount: 0
        state:
          terminated:
            exitCode: 0
            reason: Completed
      {{ if eq .name "${INIT_CONTAINER_NAME}" }}
            startedAt: {{ index $ann "${ANNOTATION_INITC_STARTED_AT}" | Quote }}
            finishedAt: {{ index $ann "${ANNOTATION_INITC_FINISHED_AT}" | Quote }}
      {{ else }}
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: ${ready}
        started: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
${podAddresses}`;

// Containers wait while an init container runs or has failed, as the kubelet reports them.
const containersWaiting = `      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          waiting:
            reason: PodInitializing
      {{ end }}
`;

const notInitialized = `      - type: Initialized
        status: "False"
        reason: ContainersNotInitialized
        message: "containers with incomplete status: [${INIT_CONTAINER_NAME}]"
        lastTransitionTime: {{ $now | Quote }}
      - type: ContainersReady
        status: "False"
        reason: ContainersNotReady
        lastTransitionTime: {{ $now | Quote }}
      - type: Ready
        status: "False"
        reason: ContainersNotReady
        lastTransitionTime: {{ $now | Quote }}
`;

/** A pod Stage: its selector expressions (already indented) and the status it writes. */
function podStage(name: string, expressions: string, statusTemplate: string, delay = ''): string {
  return stage('Pod', name, expressions, statusNext(statusTemplate), delay);
}

const startDelay = `  delay:
    durationMilliseconds: 200
    jitterDurationMilliseconds: 800
`;
const noInitc = `    - key: ${hasInitc}
      operator: DoesNotExist
`;

const podRunning = podStage('copse-pod-running', scheduledPending + notReady + noInitc + notHeldUnready, runningStatus(true), startDelay);
const podRunningUnready = podStage('copse-pod-running-unready', scheduledPending + notReady + noInitc + heldUnready, runningStatus(false), startDelay);

// Running pods follow the hook both ways: the annotation gone or changed makes them Ready, set to
// "false" makes them unready.
const runningNotDeleted = `    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Running']
`;
const podTurnReady = podStage('copse-pod-turn-ready', runningNotDeleted + notReady + notHeldUnready, runningStatus(true));
const podTurnUnready = podStage(
  'copse-pod-turn-unready',
  runningNotDeleted +
    `    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: In
      values: ['True']
` +
    heldUnready,
  runningStatus(false),
);

/**
 * A pod still in its init phase: user init containers done, copse's in `initcState` (its indented
 * YAML), the containers waiting. `head` holds the phase and start time.
 */
const initPhaseStatus = (head: string, initcState: string): string => `      {{ $now := Now }}
      {{ $ann := or .metadata.annotations dict }}
${head}      conditions:
      - type: PodReadyToStartContainers
        status: "True"
        lastTransitionTime: {{ $now | Quote }}
${notInitialized}      initContainerStatuses:
      {{ range .spec.initContainers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        restartCount: 0
      {{ if eq .name "${INIT_CONTAINER_NAME}" }}
${initcState}      {{ else }}
        ready: true
        started: false
        state:
          terminated:
            exitCode: 0
            reason: Completed
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}
      {{ end }}
${containersWaiting}${podAddresses}`;

const hasCopseInitc = `    - key: ${hasInitc}
      operator: In
      values: ['${INIT_CONTAINER_NAME}']
`;

// copse's init container is running: the runner has started (or is about to start) `copse initc`.
const podInitcWaiting = podStage(
  'copse-pod-initc-running',
  scheduledPending +
    hasCopseInitc +
    `    - key: ${exitCode}
      operator: DoesNotExist
    - key: '${initcStatus} | .state.running.startedAt'
      operator: DoesNotExist
`,
  initPhaseStatus(
    `      phase: Pending
      startTime: {{ $now | Quote }}
`,
    `        ready: false
        started: true
        state:
          running:
            startedAt: {{ $now | Quote }}
`,
  ),
);

// The runner reported exit 0: the pod starts its containers at once (Ready unless held unready).
const initcExitedZero = `${scheduledPending}${hasCopseInitc}    - key: ${exitCode}
      operator: In
      values: ['0']
${notReady}`;
const podInitcCompleted = podStage('copse-pod-initc-completed', initcExitedZero + notHeldUnready, runningStatus(true));
const podInitcCompletedUnready = podStage('copse-pod-initc-completed-unready', initcExitedZero + heldUnready, runningStatus(false));

// The runner reported a failure: the init container terminated with the program's exit code and
// message. With restartPolicy Never the pod fails; otherwise it stays Pending (Init:Error). The
// runner does not restart the program, where a kubelet would, with back-off.
const podInitcFailed = podStage(
  'copse-pod-initc-failed',
  scheduledPending +
    hasCopseInitc +
    `    - key: ${exitCode}
      operator: Exists
    - key: ${exitCode}
      operator: NotIn
      values: ['0']
    - key: '${initcStatus} | .state.terminated.exitCode'
      operator: DoesNotExist
`,
  initPhaseStatus(
    `      phase: {{ if eq ( or .spec.restartPolicy "Always" ) "Never" }}Failed{{ else }}Pending{{ end }}
      startTime: {{ or .status.startTime $now | Quote }}
`,
    `        ready: false
        started: false
        state:
          terminated:
            exitCode: {{ index $ann "${ANNOTATION_INITC_EXIT_CODE}" }}
            reason: Error
            message: {{ index $ann "${ANNOTATION_INITC_MESSAGE}" | Quote }}
            startedAt: {{ index $ann "${ANNOTATION_INITC_STARTED_AT}" | Quote }}
            finishedAt: {{ index $ann "${ANNOTATION_INITC_FINISHED_AT}" | Quote }}
`,
  ),
);

// Like a kubelet, only finish the deletion; finalizers stay with their owners.
const podDelete = stage(
  'Pod',
  'copse-pod-delete',
  `    - key: '.metadata.deletionTimestamp'
      operator: Exists
`,
  `    delete: true
`,
);

export function kwokStagesYaml(): string {
  return [
    nodeReady,
    nodeHeartbeat,
    podRunning,
    podRunningUnready,
    podTurnReady,
    podTurnUnready,
    podInitcWaiting,
    podInitcCompleted,
    podInitcCompletedUnready,
    podInitcFailed,
    podDelete,
  ].join('---\n');
}
