import { describe, expect, it } from 'vitest';
import * as keys from './keys.js';
import {
  MAX_COMBINED_NAME_LENGTH,
  appNameLabelValue,
  basePodGangName,
  computeDomainName,
  headlessServiceFqdn,
  headlessServiceName,
  initContainerTokenSecretName,
  isBasePodGangName,
  legacyInitContainerTokenSecretName,
  managedLabels,
  pcsPodSelector,
  pcsgPodCliqueName,
  pcsgPodSelector,
  podCliqueName,
  podCliquePodSelector,
  podCliqueScalingGroupName,
  podGangNameForPcsgReplica,
  podGenerateName,
  podHostname,
  podRoleBindingName,
  podRoleName,
  scaledPodGangName,
} from './names.js';

describe('object names for the simple1 sample (grove-compat §8.1)', () => {
  it('PodCliques, PCSG, PodGang, pods', () => {
    expect(podCliqueName('simple1', 0, 'pca')).toBe('simple1-0-pca');
    const pcsg = podCliqueScalingGroupName('simple1', 0, 'sga');
    expect(pcsg).toBe('simple1-0-sga');
    expect(pcsgPodCliqueName(pcsg, 0, 'pcb')).toBe('simple1-0-sga-0-pcb');
    expect(basePodGangName('simple1', 0)).toBe('simple1-0');
    expect(podGenerateName('simple1-0-pca')).toBe('simple1-0-pca-');
    expect(podHostname('simple1-0-sga-0-pcc', 1)).toBe('simple1-0-sga-0-pcc-1');
    expect(headlessServiceName('simple1', 0)).toBe('simple1-0');
    expect(headlessServiceFqdn('simple1', 0, 'default')).toBe('simple1-0.default.svc.cluster.local');
  });

  it('tells a base gang from a scaled one by its name', () => {
    expect(isBasePodGangName('simple1', 'simple1-0')).toBe(true);
    expect(isBasePodGangName('simple1', 'simple1-12')).toBe(true);
    expect(isBasePodGangName('simple1', 'simple1-0-sga-0')).toBe(false);
    expect(isBasePodGangName('simple1', 'simple1-')).toBe(false);
    expect(isBasePodGangName('simple', 'simple1-0')).toBe(false);
  });

  it('scaled gangs are numbered from minAvailable', () => {
    const pcsg = podCliqueScalingGroupName('simple1', 0, 'sga');
    expect(scaledPodGangName(pcsg, 0)).toBe('simple1-0-sga-0');
    expect(podGangNameForPcsgReplica('simple1', 0, pcsg, 0, 2)).toBe('simple1-0');
    expect(podGangNameForPcsgReplica('simple1', 0, pcsg, 1, 2)).toBe('simple1-0');
    expect(podGangNameForPcsgReplica('simple1', 0, pcsg, 2, 2)).toBe('simple1-0-sga-0');
    expect(podGangNameForPcsgReplica('simple1', 1, 'simple1-1-sga', 4, 2)).toBe('simple1-1-sga-2');
  });

  it('per-PCS support objects', () => {
    expect(podRoleName('simple1')).toBe('grove.io:pcs:simple1');
    expect(podRoleBindingName('simple1')).toBe('grove.io:pcs:simple1');
    expect(appNameLabelValue(podRoleName('simple1'))).toBe('grove.io-pcs-simple1');
    expect(initContainerTokenSecretName('simple1')).toBe('simple1-ic-sat');
    expect(legacyInitContainerTokenSecretName('simple1')).toBe('simple1-initc-sa-token-secret');
    expect(computeDomainName('simple1', 0, 'g1')).toBe('simple1-0-g1');
  });

  it('selectors', () => {
    expect(managedLabels('simple1')).toEqual({ 'app.kubernetes.io/managed-by': 'grove-operator', 'app.kubernetes.io/part-of': 'simple1' });
    expect(pcsPodSelector('simple1')).toBe('app.kubernetes.io/managed-by=grove-operator,app.kubernetes.io/part-of=simple1');
    expect(podCliquePodSelector('simple1', 'simple1-0-pca')).toBe(
      'app.kubernetes.io/managed-by=grove-operator,app.kubernetes.io/part-of=simple1,grove.io/podclique=simple1-0-pca',
    );
    expect(pcsgPodSelector('simple1', 'simple1-0-sga')).toBe(
      'app.kubernetes.io/managed-by=grove-operator,app.kubernetes.io/part-of=simple1,grove.io/podcliquescalinggroup=simple1-0-sga',
    );
  });

  it('45-character budget leaves room for the replica, pod index and separators in a 63-char hostname', () => {
    expect(MAX_COMBINED_NAME_LENGTH).toBe(45);
    const host = podHostname(pcsgPodCliqueName(podCliqueScalingGroupName('p'.repeat(15), 9, 'g'.repeat(15)), 9, 'c'.repeat(15)), 99);
    expect(host.length).toBeLessThanOrEqual(63);
  });
});

describe('keys (grove-compat §4.3)', () => {
  it('has the exact Grove label, annotation, gate and finalizer strings', () => {
    expect([
      keys.LABEL_MANAGED_BY, keys.LABEL_PART_OF, keys.LABEL_APP_NAME, keys.LABEL_COMPONENT, keys.LABEL_PODCLIQUE, keys.LABEL_PODGANG,
      keys.LABEL_BASE_PODGANG, keys.LABEL_PCS_REPLICA_INDEX, keys.LABEL_PCSG, keys.LABEL_PCSG_REPLICA_INDEX,
      keys.LABEL_PODCLIQUE_POD_INDEX, keys.LABEL_POD_TEMPLATE_HASH, keys.LABEL_SCHEDULER_NAME, keys.LABEL_MNNVL_GROUP,
    ]).toEqual([
      'app.kubernetes.io/managed-by', 'app.kubernetes.io/part-of', 'app.kubernetes.io/name', 'app.kubernetes.io/component',
      'grove.io/podclique', 'grove.io/podgang', 'grove.io/base-podgang', 'grove.io/podcliqueset-replica-index',
      'grove.io/podcliquescalinggroup', 'grove.io/podcliquescalinggroup-replica-index', 'grove.io/podclique-pod-index',
      'grove.io/pod-template-hash', 'grove.io/scheduler-name', 'grove.io/mnnvl-group',
    ]);
    expect([keys.ANNOTATION_DISABLE_MANAGED_RESOURCE_PROTECTION, keys.ANNOTATION_RECONCILE_TRIGGER, keys.ANNOTATION_TOPOLOGY_NAME, keys.ANNOTATION_MNNVL_GROUP]).toEqual([
      'grove.io/disable-managed-resource-protection', 'grove.io/reconcile-trigger', 'grove.io/topology-name', 'grove.io/mnnvl-group',
    ]);
    expect(keys.SCHEDULING_GATE_PODGANG_PENDING_CREATION).toBe('grove.io/podgang-pending-creation');
    expect([keys.FINALIZER_PODCLIQUESET, keys.FINALIZER_PODCLIQUE, keys.FINALIZER_PODCLIQUESCALINGGROUP, keys.FINALIZER_COMPUTEDOMAIN]).toEqual([
      'grove.io/podcliqueset.grove.io', 'grove.io/podclique.grove.io', 'grove.io/podcliquescalinggroup.grove.io', 'grove.io/computedomain-finalizer',
    ]);
    expect(keys.MANAGED_BY_VALUE).toBe('grove-operator');
    expect(keys.COMPONENT_PCS_PODCLIQUE).toBe('pcs-podclique');
    expect(keys.COMPONENT_PCSG_PODCLIQUE).toBe('pcsg-podclique');
    expect(keys.ENV_PCSG_TEMPLATE_NUM_PODS).toBe('GROVE_PCSG_TEMPLATE_NUM_PODS');
  });

  it('every exported key constant is a distinct string, except the deliberate mnnvl label/annotation pair', () => {
    const values: string[] = Object.values(keys);
    const dupes = values.filter((v, i) => values.indexOf(v) !== i);
    expect(dupes).toEqual(['grove.io/mnnvl-group']);
  });
});
