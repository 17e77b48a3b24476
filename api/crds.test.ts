import { describe, expect, it } from 'vitest';
import { CORE } from './core/index.js';
import { LAST_APPLIED_LIMIT_BYTES, allCrds, buildCrd, crdJsonSize, dynamoCrds } from './crds.js';
import { ALL_KIND_NAMES, KINDS } from './kinds.js';
import { toYaml } from './generate.js';
import type { JSONSchemaProps } from './schema/types.js';

const schemaOf = (kind: (typeof ALL_KIND_NAMES)[number]): JSONSchemaProps => {
  const s = buildCrd(kind).spec.versions[0]?.schema.openAPIV3Schema;
  if (!s) throw new Error('no schema');
  return s;
};

/** Follow a dotted path of property names (`[]` steps into items). */
function at(s: JSONSchemaProps, path: string): JSONSchemaProps {
  let cur: JSONSchemaProps | undefined = s;
  for (const seg of path.split('.')) {
    cur = seg === '[]' ? cur?.items : cur?.properties?.[seg];
    if (!cur) throw new Error(`no schema at ${path} (${seg})`);
  }
  return cur;
}

describe('CRD identity', () => {
  it('emits exactly the five Grove CRDs', () => {
    expect(allCrds().map((c) => c.metadata.name)).toEqual([
      'podcliquesets.grove.io',
      'podcliques.grove.io',
      'podcliquescalinggroups.grove.io',
      'clustertopologybindings.grove.io',
      'podgangs.scheduler.grove.io',
    ]);
  });

  it.each([
    ['PodCliqueSet', 'grove.io', 'podcliquesets', 'podcliqueset', ['pcs'], 'Namespaced'],
    ['PodClique', 'grove.io', 'podcliques', 'podclique', ['pclq'], 'Namespaced'],
    ['PodCliqueScalingGroup', 'grove.io', 'podcliquescalinggroups', 'podcliquescalinggroup', ['pcsg'], 'Namespaced'],
    ['ClusterTopologyBinding', 'grove.io', 'clustertopologybindings', 'clustertopologybinding', ['ct'], 'Cluster'],
    ['PodGang', 'scheduler.grove.io', 'podgangs', 'podgang', ['pg'], 'Namespaced'],
    ['DynamoGraphDeployment', 'nvidia.com', 'dynamographdeployments', 'dynamographdeployment', ['dgd'], 'Namespaced'],
  ] as const)('%s: group, names, scope, single served+storage v1alpha1', (kind, group, plural, singular, shortNames, scope) => {
    const crd = buildCrd(kind);
    expect(crd.spec.group).toBe(group);
    expect(crd.spec.names).toEqual({ kind, listKind: `${kind}List`, plural, singular, shortNames: [...shortNames] });
    expect(crd.spec.scope).toBe(scope);
    expect(crd.spec.versions).toHaveLength(1);
    expect(crd.spec.versions[0]).toMatchObject({ name: 'v1alpha1', served: true, storage: true });
    expect(crd.spec.versions[0]?.subresources.status).toEqual({});
  });

  it('the optional Dynamo CRDs are exactly the DynamoGraphDeployment', () => {
    expect(dynamoCrds().map((c) => c.metadata.name)).toEqual(['dynamographdeployments.nvidia.com']);
    expect(allCrds().map((c) => c.spec.group)).not.toContain('nvidia.com');
  });

  it('has scale subresources with Grove paths (PCSG selector is .status.selector)', () => {
    const scale = (k: (typeof ALL_KIND_NAMES)[number]) => buildCrd(k).spec.versions[0]?.subresources.scale;
    expect(scale('PodCliqueSet')).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.hpaPodSelector' });
    expect(scale('PodClique')).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.hpaPodSelector' });
    expect(scale('PodCliqueScalingGroup')).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' });
    expect(scale('ClusterTopologyBinding')).toBeUndefined();
    expect(scale('PodGang')).toBeUndefined();
    expect(scale('DynamoGraphDeployment')).toBeUndefined();
  });

  it('scale paths point at int32 fields and the selector at a string', () => {
    for (const k of ['PodCliqueSet', 'PodClique', 'PodCliqueScalingGroup'] as const) {
      const s = schemaOf(k);
      const sc = KINDS[k].scale;
      if (!sc) throw new Error('scale');
      const path = (p: string) => p.slice(1);
      expect(at(s, path(sc.specReplicasPath))).toMatchObject({ type: 'integer', format: 'int32' });
      expect(at(s, path(sc.statusReplicasPath))).toMatchObject({ type: 'integer', format: 'int32' });
      expect(at(s, path(sc.labelSelectorPath)).type).toBe('string');
    }
  });
});

describe('printer columns', () => {
  const cols = (k: (typeof ALL_KIND_NAMES)[number]) =>
    (buildCrd(k).spec.versions[0]?.additionalPrinterColumns ?? []).map((c) => `${c.name}|${c.type}|${c.jsonPath}|${c.priority ?? 0}`);

  it('PodCliqueSet', () => {
    expect(cols('PodCliqueSet')).toEqual([
      'Replicas|integer|.spec.replicas|0',
      'Available|integer|.status.availableReplicas|0',
      'Updated|integer|.status.updatedReplicas|0',
      'PCLQs-Updated|integer|.status.updateProgress.updatedPodCliquesCount|0',
      'PCLQs-Total|integer|.status.updateProgress.totalPodCliquesCount|0',
      'PCSGs-Updated|integer|.status.updateProgress.updatedPodCliqueScalingGroupsCount|0',
      'PCSGs-Total|integer|.status.updateProgress.totalPodCliqueScalingGroupsCount|0',
      'Age|date|.metadata.creationTimestamp|0',
    ]);
  });

  it('PodClique (Gated and MinBreached are wide-only)', () => {
    expect(cols('PodClique')).toEqual([
      'MinAvail|integer|.spec.minAvailable|0',
      'Replicas|integer|.spec.replicas|0',
      'Ready|integer|.status.readyReplicas|0',
      'Scheduled|integer|.status.scheduledReplicas|0',
      'Updated|integer|.status.updatedReplicas|0',
      'Gated|integer|.status.scheduleGatedReplicas|1',
      'MinBreached|string|.status.conditions[?(@.type=="MinAvailableBreached")].status|1',
      'Age|date|.metadata.creationTimestamp|0',
    ]);
  });

  it('PodCliqueScalingGroup', () => {
    expect(cols('PodCliqueScalingGroup')).toEqual([
      'MinAvail|integer|.spec.minAvailable|0',
      'Replicas|integer|.spec.replicas|0',
      'Available|integer|.status.availableReplicas|0',
      'Scheduled|integer|.status.scheduledReplicas|0',
      'Updated|integer|.status.updatedReplicas|0',
      'PCLQs-Updated|integer|.status.updateProgress.updatedPodCliquesCount|0',
      'PCLQs-Total|integer|.status.updateProgress.totalPodCliquesCount|0',
      'MinBreached|string|.status.conditions[?(@.type=="MinAvailableBreached")].status|1',
      'Age|date|.metadata.creationTimestamp|0',
    ]);
  });

  it('ClusterTopologyBinding and PodGang', () => {
    expect(cols('ClusterTopologyBinding')).toEqual(['Domains|string|.spec.levels[*].domain|0', 'Age|date|.metadata.creationTimestamp|0']);
    expect(cols('PodGang')).toEqual(['Phase|string|.status.phase|0', 'Age|date|.metadata.creationTimestamp|0']);
  });

  it('DynamoGraphDeployment: Ready condition, backend, age', () => {
    expect(cols('DynamoGraphDeployment')).toEqual([
      'Ready|string|.status.conditions[?(@.type=="Ready")].status|0',
      'Backend|string|.spec.backendFramework|0',
      'Age|date|.metadata.creationTimestamp|0',
    ]);
  });

  it('every column path exists in the schema', () => {
    for (const k of ALL_KIND_NAMES) {
      const s = schemaOf(k);
      for (const c of buildCrd(k).spec.versions[0]?.additionalPrinterColumns ?? []) {
        if (c.jsonPath.startsWith('.metadata')) continue;
        const path = c.jsonPath
          .slice(1)
          .replace(/\[\?\(.*\)\]/, '.[]')
          .replace('[*]', '.[]');
        expect(() => at(s, path), `${k} ${c.name}`).not.toThrow();
      }
    }
  });
});

describe('schema content (grove-compat §2)', () => {
  const pcs = schemaOf('PodCliqueSet');
  const tmpl = 'spec.template';

  it('requires spec at the root and keeps root metadata bare', () => {
    for (const k of ALL_KIND_NAMES) {
      expect(schemaOf(k).required).toEqual(['spec']);
      expect(schemaOf(k).properties?.['metadata']).toEqual({ type: 'object' });
    }
  });

  it('PodCliqueSet required arrays, list-map, enums and CRD defaults', () => {
    expect(at(pcs, 'spec').required).toEqual(['template']);
    expect(at(pcs, tmpl).required).toEqual(['cliques']);
    expect(at(pcs, `${tmpl}.cliques`)).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });
    expect(at(pcs, `${tmpl}.podCliqueScalingGroups`)['x-kubernetes-list-type']).toBeUndefined();
    expect(at(pcs, `${tmpl}.cliques.[]`).required).toEqual(['name', 'spec']);
    expect(at(pcs, `${tmpl}.cliques.[].spec`).required).toEqual(['roleName', 'podSpec', 'replicas']);
    expect(at(pcs, 'spec.replicas').default).toBe(0);
    expect(at(pcs, 'spec.updateStrategy.type')).toMatchObject({ enum: ['RollingRecreate', 'OnDelete'], default: 'RollingRecreate' });
    expect(at(pcs, `${tmpl}.cliqueStartupType`)).toMatchObject({
      enum: ['CliqueStartupTypeAnyOrder', 'CliqueStartupTypeInOrder', 'CliqueStartupTypeExplicit'],
      default: 'CliqueStartupTypeAnyOrder',
    });
    expect(at(pcs, `${tmpl}.headlessServiceConfig`).required).toEqual(['publishNotReadyAddresses']);
    expect(at(pcs, `${tmpl}.headlessServiceConfig.publishNotReadyAddresses`).default).toBe(true);
    expect(at(pcs, `${tmpl}.podCliqueScalingGroups.[]`).required).toEqual(['name', 'cliqueNames']);
    expect(at(pcs, `${tmpl}.podCliqueScalingGroups.[].replicas`).default).toBe(1);
    expect(at(pcs, `${tmpl}.podCliqueScalingGroups.[].minAvailable`).default).toBe(1);
    expect(at(pcs, `${tmpl}.resourceClaimTemplates.[]`).required).toEqual(['name', 'templateSpec']);
    expect(at(pcs, `${tmpl}.resourceSharing.[].scope`).enum).toEqual(['AllReplicas', 'PerReplica']);
    expect(Object.keys(at(pcs, `${tmpl}.resourceSharing.[].filter`).properties ?? {}).sort()).toEqual(['childCliqueNames', 'childScalingGroupNames']);
    expect(Object.keys(at(pcs, `${tmpl}.podCliqueScalingGroups.[].resourceSharing.[].filter`).properties ?? {})).toEqual(['childCliqueNames']);
    expect(at(pcs, `${tmpl}.cliques.[].resourceSharing.[]`).properties?.['filter']).toBeUndefined();
    expect(at(pcs, `${tmpl}.cliques.[].spec.autoScalingConfig`).required).toEqual(['maxReplicas']);
    expect(at(pcs, `${tmpl}.cliques.[].spec.autoScalingConfig.metrics`)['x-kubernetes-list-type']).toBe('atomic');
    expect(at(pcs, 'status').required).toEqual(['updatedReplicas', 'availableReplicas']);
    expect(at(pcs, 'status.updatedReplicas').default).toBe(0);
    expect(at(pcs, 'status.podGangStatuses.[].phase').enum).toEqual(['Pending', 'Starting', 'Running', 'Failed', 'Succeeded']);
    expect(at(pcs, 'status.lastErrors.[]').required).toEqual(['code', 'description', 'observedAt']);
    expect(at(pcs, 'status.lastErrors.[].observedAt')).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it('embeds full core schemas without descriptions inside them', () => {
    const podSpec = at(pcs, `${tmpl}.cliques.[].spec.podSpec`);
    expect(podSpec.description).toMatch(/kubectl explain pod\.spec/);
    expect(podSpec.required).toEqual(['containers']);
    expect(at(podSpec, 'containers')).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });
    expect(at(podSpec, 'containers.[].ports.[].protocol').default).toBe('TCP');
    expect(at(podSpec, 'containers.[].resources.limits').additionalProperties).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(JSON.stringify(podSpec.properties)).not.toContain('"description"');
    const claim = at(pcs, `${tmpl}.resourceClaimTemplates.[].templateSpec`);
    expect(at(claim, 'spec.devices.requests.[].exactly.deviceClassName').type).toBe('string');
    expect(at(claim, 'metadata').properties).toHaveProperty('labels');
    expect(at(pcs, 'status.conditions.[]').required).toEqual(['type', 'status', 'lastTransitionTime', 'reason', 'message']);
  });

  it('ClusterTopologyBinding levels: minItems, domain and key validation', () => {
    const ct = schemaOf('ClusterTopologyBinding');
    expect(at(ct, 'spec').required).toEqual(['levels']);
    expect(at(ct, 'spec.levels').minItems).toBe(1);
    expect(at(ct, 'spec.levels.[]').required).toEqual(['domain', 'key']);
    expect(at(ct, 'spec.levels.[].domain')).toMatchObject({ minLength: 1, maxLength: 63, pattern: '^[a-z][a-z0-9-]*$' });
    expect(at(ct, 'spec.levels.[].key')).toMatchObject({
      minLength: 1,
      maxLength: 63,
      pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$',
    });
    expect(at(ct, 'spec.schedulerTopologyBindings.[]').required).toEqual(['schedulerName', 'topologyReference']);
    expect(at(ct, 'status.schedulerTopologyStatuses.[]').required).toEqual(['topologyReference', 'inSync']);
  });

  it('PodGang: lowercase podgroups and required fields', () => {
    const pg = schemaOf('PodGang');
    expect(at(pg, 'spec').required).toEqual(['podgroups']);
    expect(at(pg, 'spec.podgroups.[]').required).toEqual(['name', 'podReferences', 'minReplicas']);
    expect(at(pg, 'spec.podgroups.[].podReferences.[]').required).toEqual(['namespace', 'name']);
    expect(Object.keys(at(pg, 'spec.podgroups.[].topologyConstraint.packConstraint').properties ?? {})).toEqual(['preferred', 'required']);
    expect(at(pg, 'spec.topologyConstraintGroupConfigs.[]').required).toEqual(['name', 'podGroupNames']);
    expect(at(pg, 'status').required).toEqual(['phase']);
    expect(at(pg, 'status.phase').enum).toBeUndefined();
    expect(at(pg, 'status.placementScore')).toMatchObject({ type: 'number', format: 'double' });
  });

  it('PodClique and PCSG status/spec required + defaults', () => {
    const pclq = schemaOf('PodClique');
    expect(at(pclq, 'spec').required).toEqual(['roleName', 'podSpec', 'replicas']);
    expect(at(pclq, 'spec').properties).not.toHaveProperty('topologyConstraint');
    expect(at(pclq, 'status').required).toEqual(['readyReplicas', 'updatedReplicas', 'scheduleGatedReplicas', 'scheduledReplicas']);
    expect(at(pclq, 'status.updateProgress').required).toEqual(['podCliqueSetGenerationHash', 'podTemplateHash']);
    expect(at(pclq, 'status.updateProgress.readyPodsSelectedToUpdate').required).toEqual(['current']);
    const pcsg = schemaOf('PodCliqueScalingGroup');
    expect(at(pcsg, 'spec').required).toEqual(['replicas', 'cliqueNames']);
    expect(at(pcsg, 'spec.replicas').default).toBe(1);
    expect(at(pcsg, 'spec.minAvailable').default).toBe(1);
    expect(at(pcsg, 'status').required).toEqual(['scheduledReplicas', 'availableReplicas', 'updatedReplicas']);
    expect(at(pcsg, 'status.updateProgress').required).toEqual(['updateStartedAt', 'podCliqueSetGenerationHash']);
    expect(at(pcsg, 'status.updateProgress.readyReplicaIndicesSelectedToUpdate.completed.[]').format).toBe('int32');
  });
});

describe('DynamoGraphDeployment schema (dynamo-dgd §1)', () => {
  const dgd = schemaOf('DynamoGraphDeployment');
  const svcSchema = (): JSONSchemaProps => {
    const ap = at(dgd, 'spec.services').additionalProperties;
    if (typeof ap !== 'object') throw new Error('services is not a map');
    return ap;
  };

  it('services is a map of at most 25 service specs; backendFramework an enum; pvcs at most 100', () => {
    expect(at(dgd, 'spec.services')).toMatchObject({ type: 'object', maxProperties: 25 });
    expect(Object.keys(svcSchema().properties ?? {}).sort()).toEqual([
      'annotations', 'autoscaling', 'componentType', 'dynamoNamespace', 'envFromSecret', 'envs', 'extraPodMetadata',
      'extraPodSpec', 'globalDynamoNamespace', 'ingress', 'labels', 'livenessProbe', 'modelRef', 'multinode',
      'readinessProbe', 'replicas', 'resources', 'serviceName', 'sharedMemory', 'subComponentType', 'volumeMounts',
    ]);
    expect(at(dgd, 'spec.backendFramework').enum).toEqual(['sglang', 'vllm', 'trtllm']);
    expect(at(dgd, 'spec.pvcs')).toMatchObject({ maxItems: 100 });
    expect(at(dgd, 'spec.pvcs.[]').required).toEqual(['name']);
    expect(Object.keys(at(dgd, 'status').properties ?? {}).sort()).toEqual(['conditions', 'state']);
  });

  it('service fields: replicas >= 0, multinode nodeCount >= 2 defaulting to 2, quantities int-or-string', () => {
    const s = svcSchema();
    expect(at(s, 'replicas')).toMatchObject({ type: 'integer', format: 'int32', minimum: 0 });
    expect(at(s, 'multinode').required).toEqual(['nodeCount']);
    expect(at(s, 'multinode.nodeCount')).toMatchObject({ default: 2, minimum: 2 });
    expect(at(s, 'sharedMemory.size')['x-kubernetes-int-or-string']).toBe(true);
    expect(at(s, 'resources.limits.gpu').type).toBe('string');
    expect(at(s, 'volumeMounts.[]').required).toEqual(['name']);
    expect(at(s, 'volumeMounts.[].useAsCompilationCache').default).toBe(false);
    expect(at(s, 'modelRef').required).toEqual(['name']);
  });

  it('embeds PodSpec, Container, Probe and EnvVar schemas; extraPodSpec needs no containers, mainContainer no name', () => {
    const s = svcSchema();
    const eps = at(s, 'extraPodSpec');
    expect(eps.required).toBeUndefined();
    expect(eps.description).toContain('kubectl explain pod.spec');
    expect(Object.keys(eps.properties ?? {})).toEqual(expect.arrayContaining(['containers', 'tolerations', 'volumes', 'mainContainer']));
    expect(at(eps, 'mainContainer').required).toBeUndefined();
    expect(at(eps, 'mainContainer.ports.[].protocol').default).toBe('TCP');
    expect(at(eps, 'containers.[]').required).toEqual(['name']);
    expect(at(s, 'livenessProbe.httpGet.port')['x-kubernetes-int-or-string']).toBe(true);
    expect(at(s, 'envs.[]').required).toEqual(['name']);
    expect(at(s, 'envs')['x-kubernetes-list-type']).toBeUndefined();
    expect(at(dgd, 'spec.envs.[].valueFrom.secretKeyRef').required).toEqual(['key']);
    expect(at(s, 'resources.claims.[]').required).toEqual(['name']);
    // the shared vendored schema is not modified by the cut-outs
    expect(CORE.PodSpec.schema.required).toEqual(['containers']);
    expect(CORE.PodSpec.schema.properties?.['containers']?.items?.required).toEqual(['name']);
    expect(JSON.stringify(eps.properties?.['affinity'])).not.toContain('"description"');
  });

  it('x-kubernetes-validations: PVC create needs size, class and mode; shared memory not disabled with a size', () => {
    expect(at(dgd, 'spec.pvcs.[]')['x-kubernetes-validations']).toEqual([
      {
        rule: '!has(self.create) || self.create == false || (has(self.size) && has(self.storageClass) && has(self.volumeAccessMode))',
        message: 'When create is true, size, storageClass, and volumeAccessMode are required',
      },
    ]);
    expect(at(svcSchema(), 'sharedMemory')['x-kubernetes-validations']).toEqual([
      { rule: '!(has(self.disabled) && self.disabled && has(self.size))', message: 'size must not be set when shared memory is disabled' },
    ]);
  });
});

describe('CEL rules (x-kubernetes-validations)', () => {
  const pcs = schemaOf('PodCliqueSet');
  const MSG = 'packDomain is deprecated and cannot be used on new workloads; use pack.required';

  it('PodCliqueSet root: three create-only packDomain rules', () => {
    const rules = pcs['x-kubernetes-validations'] ?? [];
    expect(rules.map((r) => [r.fieldPath, r.reason, r.message, r.optionalOldSelf])).toEqual([
      ['.spec.template.topologyConstraint.packDomain', 'FieldValueForbidden', MSG, true],
      ['.spec.template.cliques', 'FieldValueForbidden', MSG, true],
      ['.spec.template.podCliqueScalingGroups', 'FieldValueForbidden', MSG, true],
    ]);
    for (const r of rules) expect(r.rule.startsWith('oldSelf.hasValue() || ')).toBe(true);
  });

  it('TopologyConstraint and pack rules at every level', () => {
    for (const path of ['spec.template.topologyConstraint', 'spec.template.cliques.[].topologyConstraint', 'spec.template.podCliqueScalingGroups.[].topologyConstraint']) {
      const tc = at(pcs, path);
      expect(tc['x-kubernetes-validations']).toEqual([
        { rule: 'has(self.pack) || has(self.packDomain)', message: 'topologyConstraint must specify pack or deprecated packDomain', fieldPath: '.pack', reason: 'FieldValueRequired' },
        { rule: '!(has(self.packDomain) && has(self.pack) && has(self.pack.required))', message: 'must not set both pack.required and deprecated packDomain', fieldPath: '.pack.required' },
      ]);
      expect(at(tc, 'pack')['x-kubernetes-validations']).toEqual([
        { rule: 'has(self.required) || has(self.preferred)', message: 'pack must specify at least one of required or preferred', reason: 'FieldValueRequired' },
      ]);
    }
  });

  it('has exactly 3 + 3×3 rules in the PCS CRD and none elsewhere', () => {
    const count = (s: JSONSchemaProps): number =>
      (s['x-kubernetes-validations']?.length ?? 0) +
      Object.values(s.properties ?? {}).reduce((n, p) => n + count(p), 0) +
      (s.items ? count(s.items) : 0) +
      (typeof s.additionalProperties === 'object' ? count(s.additionalProperties) : 0);
    expect(count(pcs)).toBe(12);
    expect(count(schemaOf('PodClique'))).toBe(0);
    expect(count(schemaOf('PodGang'))).toBe(0);
    expect(count(schemaOf('DynamoGraphDeployment'))).toBe(2);
  });
});

describe('descriptions', () => {
  /** Walk our own properties (not into embedded core schemas) and list those without a description. */
  function missing(s: JSONSchemaProps, path: string, out: string[]): void {
    const embedded =
      path.endsWith('.podSpec') ||
      path.endsWith('.templateSpec') ||
      path.endsWith('.metrics.[]') ||
      path.endsWith('conditions.[]') ||
      /\.(extraPodSpec|livenessProbe|readinessProbe)$/.test(path) ||
      /\.(envs|claims)\.\[\]$/.test(path);
    if (embedded) return;
    for (const [k, p] of Object.entries(s.properties ?? {})) {
      const sub = `${path}.${k}`;
      if (!(path === '' && k === 'metadata') && !p.description) out.push(sub);
      missing(p, sub, out);
    }
    if (s.items) missing(s.items, `${path}.[]`, out);
    if (typeof s.additionalProperties === 'object') missing(s.additionalProperties, `${path}.{}`, out);
  }

  it.each(ALL_KIND_NAMES)('%s: every property we define has a description', (k) => {
    const out: string[] = [];
    missing(schemaOf(k), '', out);
    expect(out).toEqual([]);
    expect(schemaOf(k).description).toBeTruthy();
  });

  it('embedded fields say where their docs live', () => {
    expect(at(schemaOf('PodClique'), 'spec.podSpec').description).toContain('kubectl explain pod.spec');
    expect(at(schemaOf('PodClique'), 'spec.startsAfter').description).toMatch(/ready before pods of this clique start/);
    const dgdService = at(schemaOf('DynamoGraphDeployment'), 'spec.services').additionalProperties;
    if (typeof dgdService !== 'object') throw new Error('services is not a map');
    expect(at(dgdService, 'extraPodSpec.mainContainer').description).toMatch(/always called "main"/);
    expect(at(dgdService, 'livenessProbe').description).toContain('kubectl explain pod.spec.containers.livenessProbe');
  });

  it('detects a missing description (the walker can fail)', () => {
    const out: string[] = [];
    missing({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string', description: 'x' } } }, '', out);
    expect(out).toEqual(['.a']);
  });
});

describe('size', () => {
  it.each(ALL_KIND_NAMES)('%s CRD JSON stays below 200 KB (client-side apply annotation limit 256 KiB)', (k) => {
    const size = crdJsonSize(buildCrd(k));
    expect(size).toBeLessThan(200_000);
    expect(size).toBeLessThan(LAST_APPLIED_LIMIT_BYTES);
  });

  it('PodCliqueSet and PodClique carry a full PodSpec (sanity lower bound)', () => {
    expect(crdJsonSize(buildCrd('PodCliqueSet'))).toBeGreaterThan(50_000);
    expect(crdJsonSize(buildCrd('PodClique'))).toBeGreaterThan(50_000);
    expect(crdJsonSize(buildCrd('DynamoGraphDeployment'))).toBeGreaterThan(50_000);
  });
});

describe('YAML rendering', () => {
  it('keeps fields that client-node typed serialization would drop', () => {
    const crd = buildCrd('PodCliqueSet');
    const y = toYaml({ ...crd });
    expect(y.startsWith('apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n')).toBe(true);
    expect(y).toContain('optionalOldSelf: true');
    expect(y).toMatch(/updatedReplicas:\n\s+default: 0/);
  });

  it.each(ALL_KIND_NAMES)('%s: YAML carries every keyword of the JSON (nothing lost in serialization)', (k) => {
    const crd = buildCrd(k);
    const json = JSON.stringify(crd);
    const y = toYaml({ ...crd });
    for (const kw of ['x-kubernetes-validations', 'x-kubernetes-list-map-keys', 'x-kubernetes-int-or-string', 'enum', 'default', 'required', 'description', 'format']) {
      const inJson = json.split(`"${kw}":`).length - 1;
      const inYaml = y.split(new RegExp(`^\\s*${kw}:`, 'm')).length - 1;
      expect(inYaml, kw).toBe(inJson);
    }
  });
});
