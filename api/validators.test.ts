import { describe, expect, it } from 'vitest';
import { groveSamplesPresent, podCliqueSetDocs } from '../test/support/grove-samples.js';
import { formatFieldError, formatFieldErrors } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import type { KindName } from './kinds.js';
import { admitOffline, normalize, toFieldPath, validateCel, validateObject, validateStructure } from './validators.js';

// ---------------------------------------------------------------------------------------------
// fixtures

type Obj = { [key: string]: unknown };

function pcs(mut: (o: Obj & { spec: Obj & { template: Obj & { cliques: Obj[] } } }) => void = () => undefined): Obj {
  const o = {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name: 'demo', namespace: 'default' },
    spec: {
      replicas: 1,
      template: {
        cliques: [
          { name: 'a', spec: { roleName: 'ra', replicas: 2, podSpec: { containers: [{ name: 'main', image: 'busybox' }] } } },
          { name: 'b', spec: { roleName: 'rb', replicas: 1, podSpec: { containers: [{ name: 'main', image: 'busybox' }] } } },
        ] as Obj[],
      },
    },
  };
  mut(o);
  return o;
}

const clique0 = (o: { spec: { template: { cliques: Obj[] } } }) => o.spec.template.cliques[0] as Obj & { spec: Obj & { podSpec: Obj & { containers: Obj[] } } };

const brief = (errs: FieldError[]) => errs.map((e) => `${e.type} ${e.field}`);

// ---------------------------------------------------------------------------------------------

describe('toFieldPath', () => {
  it('uses [i] for list indices and dots for names (including numeric-looking map keys)', () => {
    const obj = { spec: { template: { cliques: [{}, { spec: { replicas: 1 } }] } }, metadata: { labels: { '0': 'x' } } };
    expect(toFieldPath('/spec/template/cliques/1/spec/replicas', obj)).toBe('spec.template.cliques[1].spec.replicas');
    expect(toFieldPath('/metadata/labels/0', obj)).toBe('metadata.labels.0');
    expect(toFieldPath('/a~1b', {})).toBe('a/b');
    expect(toFieldPath('', obj)).toBe('');
  });
});

describe('validateStructure: valid objects', () => {
  it('accepts a minimal PodCliqueSet', () => {
    expect(validateObject('PodCliqueSet', pcs())).toEqual([]);
  });

  it.each([
    ['PodClique', { apiVersion: 'grove.io/v1alpha1', kind: 'PodClique', metadata: { name: 'x' }, spec: { roleName: 'r', replicas: 1, podSpec: { containers: [{ name: 'c' }] } } }],
    ['PodCliqueScalingGroup', { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueScalingGroup', metadata: { name: 'x' }, spec: { replicas: 1, cliqueNames: ['a'] } }],
    ['ClusterTopologyBinding', { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: 'grove-topology' }, spec: { levels: [{ domain: 'zone', key: 'topology.kubernetes.io/zone' }, { domain: 'host', key: 'kubernetes.io/hostname' }] } }],
    ['PodGang', { apiVersion: 'scheduler.grove.io/v1alpha1', kind: 'PodGang', metadata: { name: 'x-0' }, spec: { podgroups: [{ name: 'x-0-a', minReplicas: 1, podReferences: [{ namespace: 'default', name: 'x-0-a-abcde' }] }] }, status: { phase: 'Pending', conditions: [{ type: 'Initialized', status: 'False', reason: 'PodGangPodsCreationPending', message: 'Not all constituent pods have been created yet', lastTransitionTime: '2025-01-01T00:00:00Z' }] } }],
  ] as [KindName, Obj][])('accepts a minimal %s', (kind, obj) => {
    expect(admitOffline(kind, obj).errors).toEqual([]);
  });
});

describe('validateStructure: invalid objects and their field paths', () => {
  const cases: [string, KindName, Obj, string[]][] = [
    ['replicas of the wrong type', 'PodCliqueSet', pcs((o) => (o.spec.replicas = 'two')), ['TypeInvalid spec.replicas']],
    ['missing clique replicas', 'PodCliqueSet', pcs((o) => delete (o.spec.template.cliques[1]!.spec as Obj).replicas), ['Required spec.template.cliques[1].spec.replicas']],
    ['missing roleName and podSpec', 'PodCliqueSet', pcs((o) => (o.spec.template.cliques[0]!.spec = { replicas: 1 })), ['Required spec.template.cliques[0].spec.roleName', 'Required spec.template.cliques[0].spec.podSpec']],
    ['missing template', 'PodCliqueSet', pcs((o) => delete (o.spec as Obj).template), ['Required spec.template']],
    ['missing spec', 'PodCliqueSet', { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', metadata: { name: 'x' } }, ['Required spec']],
    ['unknown startup type', 'PodCliqueSet', pcs((o) => (o.spec.template.cliqueStartupType = 'Sequential')), ['Unsupported spec.template.cliqueStartupType']],
    ['unknown update strategy', 'PodCliqueSet', pcs((o) => (o.spec.updateStrategy = { type: 'Rolling' })), ['Unsupported spec.updateStrategy.type']],
    ['duplicate clique names (list-map key)', 'PodCliqueSet', pcs((o) => ((o.spec.template.cliques[1] as Obj).name = 'a')), ['Duplicate spec.template.cliques[1]']],
    ['scale replicas overflow', 'PodCliqueSet', pcs((o) => (o.spec.replicas = 3_000_000_000)), ['Invalid .spec.replicas']],
    ['terminationDelay not a string', 'PodCliqueSet', pcs((o) => (o.spec.template.terminationDelay = 5)), ['TypeInvalid spec.template.terminationDelay']],
    ['resource sharing without name, bad scope', 'PodCliqueSet', pcs((o) => (o.spec.template.resourceSharing = [{ scope: 'Everyone' }])), ['Required spec.template.resourceSharing[0].name', 'Unsupported spec.template.resourceSharing[0].scope']],
    ['topology domain pattern', 'PodCliqueSet', pcs((o) => (o.spec.template.topologyConstraint = { topologyName: 't', pack: { required: 'Rack' } })), ['Invalid spec.template.topologyConstraint.pack.required']],
    ['topology domain too long', 'PodCliqueSet', pcs((o) => (clique0(o).topologyConstraint = { pack: { preferred: 'a'.repeat(64) } })), ['TooLong spec.template.cliques[0].topologyConstraint.pack.preferred']],
    ['PCSG without cliqueNames', 'PodCliqueSet', pcs((o) => (o.spec.template.podCliqueScalingGroups = [{ name: 'g' }])), ['Required spec.template.podCliqueScalingGroups[0].cliqueNames']],
    ['autoscaling without maxReplicas', 'PodCliqueSet', pcs((o) => (clique0(o).spec.autoScalingConfig = { minReplicas: 1 })), ['Required spec.template.cliques[0].spec.autoScalingConfig.maxReplicas']],
    ['MetricSpec without type', 'PodCliqueSet', pcs((o) => (clique0(o).spec.autoScalingConfig = { maxReplicas: 3, metrics: [{ resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] })), ['Required spec.template.cliques[0].spec.autoScalingConfig.metrics[0].type']],
    ['podSpec without containers', 'PodCliqueSet', pcs((o) => ((clique0(o).spec as Obj).podSpec = {})), ['Required spec.template.cliques[0].spec.podSpec.containers']],
    ['duplicate container names (embedded list-map)', 'PodCliqueSet', pcs((o) => clique0(o).spec.podSpec.containers.push({ name: 'main' })), ['Duplicate spec.template.cliques[0].spec.podSpec.containers[1]']],
    ['quantity of the wrong type (int-or-string)', 'PodCliqueSet', pcs((o) => (clique0(o).spec.podSpec.containers[0]!.resources = { limits: { cpu: true } })), ['TypeInvalid spec.template.cliques[0].spec.podSpec.containers[0].resources.limits.cpu']],
    ['claim template without templateSpec', 'PodCliqueSet', pcs((o) => (o.spec.template.resourceClaimTemplates = [{ name: 't' }])), ['Required spec.template.resourceClaimTemplates[0].templateSpec']],
    ['bad status timestamp', 'PodCliqueSet', pcs((o) => (o.status = { updatedReplicas: 0, availableReplicas: 0, lastErrors: [{ code: 'E', description: 'd', observedAt: 'yesterday' }] })), ['Invalid status.lastErrors[0].observedAt']],
    ['PodClique replicas negative is structurally fine but a string is not', 'PodClique', { apiVersion: 'grove.io/v1alpha1', kind: 'PodClique', metadata: { name: 'x' }, spec: { roleName: 'r', replicas: '1', podSpec: { containers: [{ name: 'c' }] } } }, ['TypeInvalid spec.replicas']],
    ['CTB with no levels', 'ClusterTopologyBinding', { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: 't' }, spec: { levels: [] } }, ['Invalid spec.levels']],
    ['CTB domain and key patterns', 'ClusterTopologyBinding', { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: 't' }, spec: { levels: [{ domain: 'Zone', key: 'bad key' }] } }, ['Invalid spec.levels[0].domain', 'Invalid spec.levels[0].key']],
    ['PodGang podgroup without minReplicas', 'PodGang', { apiVersion: 'scheduler.grove.io/v1alpha1', kind: 'PodGang', metadata: { name: 'g' }, spec: { podgroups: [{ name: 'p', podReferences: [] }] } }, ['Required spec.podgroups[0].minReplicas']],
    ['PodGang status without phase', 'PodGang', { apiVersion: 'scheduler.grove.io/v1alpha1', kind: 'PodGang', metadata: { name: 'g' }, spec: { podgroups: [] }, status: {} }, ['Required status.phase']],
  ];

  it.each(cases)('%s', (_name, kind, obj, expected) => {
    expect(brief(validateStructure(kind, normalize(kind, obj).object))).toEqual(expected);
  });

  it('int32 fields are not range-checked (as in the apiserver) except the scale replicas', () => {
    expect(validateStructure('PodCliqueSet', pcs((o) => (clique0(o).spec.replicas = 3_000_000_000)))).toEqual([]);
    expect(formatFieldErrors(validateStructure('PodCliqueSet', pcs((o) => (o.spec.replicas = -1))))).toBe('.spec.replicas: Invalid value: -1: should be a non-negative integer');
    expect(formatFieldErrors(validateStructure('PodCliqueScalingGroup', { spec: { replicas: 3_000_000_000, cliqueNames: [] } }))).toBe(
      '.spec.replicas: Invalid value: 3000000000: should be less than or equal to 2147483647',
    );
    expect(validateStructure('ClusterTopologyBinding', { spec: { levels: [{ domain: 'a', key: 'k' }] } })).toEqual([]);
  });

  it('admitOffline skips CEL after schema errors and says so, like the apiserver (PodCliqueSet only has rules)', () => {
    const bad = pcs((o) => {
      clique0(o).spec.replicas = '1';
      o.spec.template.topologyConstraint = { topologyName: 't' }; // would violate a CEL rule
    });
    expect(formatFieldErrors(admitOffline('PodCliqueSet', bad).errors)).toBe(
      '[spec.template.cliques[0].spec.replicas: Invalid value: "string": spec.template.cliques[0].spec.replicas in body must be of type integer: "string", ' +
        '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    );
    const pclq = { apiVersion: 'grove.io/v1alpha1', kind: 'PodClique', metadata: { name: 'x' }, spec: { replicas: 1, podSpec: { containers: [{ name: 'c' }] } } };
    expect(formatFieldErrors(admitOffline('PodClique', pclq).errors)).toBe('spec.roleName: Required value');
  });

  it('admitOffline resets status: dropped on create, the stored one kept on update', () => {
    const withStatus = pcs((o) => (o.status = { updatedReplicas: 0, availableReplicas: 0, lastErrors: [{ code: 'E', description: 'd', observedAt: 'yesterday' }] }));
    const created = admitOffline('PodCliqueSet', withStatus);
    expect(created.errors).toEqual([]);
    expect(created.object['status']).toBeUndefined();
    const stored = pcs((o) => (o.status = { updatedReplicas: 1, availableReplicas: 1 }));
    const updated = admitOffline('PodCliqueSet', withStatus, { old: stored });
    expect(updated.errors).toEqual([]);
    expect(updated.object['status']).toEqual({ updatedReplicas: 1, availableReplicas: 1 });
  });

  it('reports messages in apiserver form', () => {
    const errs = validateStructure('PodCliqueSet', pcs((o) => { o.spec.replicas = 'two'; o.spec.template.cliqueStartupType = 'X'; }));
    expect(formatFieldErrors(errs)).toBe(
      '[spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string", ' +
        'spec.template.cliqueStartupType: Unsupported value: "X": supported values: "CliqueStartupTypeAnyOrder", "CliqueStartupTypeInOrder", "CliqueStartupTypeExplicit"]',
    );
    const pattern = validateStructure('ClusterTopologyBinding', { spec: { levels: [{ domain: 'Zone', key: 'k' }] } });
    expect(formatFieldErrors(pattern)).toBe(`spec.levels[0].domain: Invalid value: "Zone": spec.levels[0].domain in body should match '^[a-z][a-z0-9-]*$'`);
    const dup = validateStructure('PodCliqueSet', pcs((o) => ((o.spec.template.cliques[1] as Obj).name = 'a')));
    expect(formatFieldErrors(dup)).toBe('spec.template.cliques[1]: Duplicate value: {"name":"a"}');
    const missing = validateStructure('PodCliqueSet', pcs((o) => delete (o.spec.template.cliques[1]!.spec as Obj).replicas));
    expect(formatFieldErrors(missing)).toBe('spec.template.cliques[1].spec.replicas: Required value');
  });

  it('does not mutate its input', () => {
    const o = pcs((x) => (x.spec.template.headlessServiceConfig = {}));
    const before = JSON.stringify(o);
    validateObject('PodCliqueSet', o);
    expect(JSON.stringify(o)).toBe(before);
  });
});

describe('CEL rules (TS twins)', () => {
  const tc = (c: Obj) => pcs((o) => (o.spec.template.topologyConstraint = c));

  it.each([
    ['constraint without pack', tc({ topologyName: 't' }), 'spec.template.topologyConstraint.pack: Required value: topologyConstraint must specify pack or deprecated packDomain'],
    ['empty pack', tc({ topologyName: 't', pack: {} }), 'spec.template.topologyConstraint.pack: Required value: pack must specify at least one of required or preferred'],
    [
      'pack.required and packDomain (create)',
      tc({ topologyName: 't', packDomain: 'host', pack: { required: 'host' } }),
      // root rules are evaluated before nested ones, as in the apiserver
      '[spec.template.topologyConstraint.packDomain: Forbidden: packDomain is deprecated and cannot be used on new workloads; use pack.required, ' +
        'spec.template.topologyConstraint.pack.required: Invalid value: must not set both pack.required and deprecated packDomain]',
    ],
    ['packDomain on PCS (create)', tc({ topologyName: 't', packDomain: 'host' }), 'spec.template.topologyConstraint.packDomain: Forbidden: packDomain is deprecated and cannot be used on new workloads; use pack.required'],
    ['packDomain on a clique (create)', pcs((o) => ((o.spec.template.cliques[1] as Obj).topologyConstraint = { packDomain: 'rack' })), 'spec.template.cliques: Forbidden: packDomain is deprecated and cannot be used on new workloads; use pack.required'],
    ['packDomain on a PCSG (create)', pcs((o) => (o.spec.template.podCliqueScalingGroups = [{ name: 'g', cliqueNames: ['b'], topologyConstraint: { packDomain: 'rack' } }])), 'spec.template.podCliqueScalingGroups: Forbidden: packDomain is deprecated and cannot be used on new workloads; use pack.required'],
    ['clique constraint without pack', pcs((o) => ((o.spec.template.cliques[1] as Obj).topologyConstraint = { topologyName: 't' })), 'spec.template.cliques[1].topologyConstraint.pack: Required value: topologyConstraint must specify pack or deprecated packDomain'],
  ])('%s', (_n, obj, text) => {
    expect(formatFieldErrors(admitOffline('PodCliqueSet', obj).errors)).toBe(text);
  });

  it('packDomain rules only bite on create (optionalOldSelf)', () => {
    const legacy = pcs((o) => {
      o.spec.template.topologyConstraint = { topologyName: 't', packDomain: 'zone' };
      (o.spec.template.cliques[0] as Obj).topologyConstraint = { packDomain: 'host' };
    });
    expect(brief(validateCel('PodCliqueSet', legacy))).toEqual(['Forbidden spec.template.topologyConstraint.packDomain', 'Forbidden spec.template.cliques']);
    expect(validateCel('PodCliqueSet', legacy, { old: legacy })).toEqual([]);
    expect(admitOffline('PodCliqueSet', legacy, { old: legacy }).errors).toEqual([]);
  });

  it('accepts valid constraints at all levels', () => {
    const ok = pcs((o) => {
      o.spec.template.topologyConstraint = { topologyName: 't', pack: { required: 'zone' } };
      (o.spec.template.cliques[0] as Obj).topologyConstraint = { pack: { preferred: 'host' } };
      o.spec.template.podCliqueScalingGroups = [{ name: 'g', cliqueNames: ['b'], topologyConstraint: { pack: { required: 'rack', preferred: 'host' } } }];
    });
    expect(admitOffline('PodCliqueSet', ok).errors).toEqual([]);
  });
});

describe('normalize (apiserver pruning and defaulting)', () => {
  it('applies CRD defaults where the parent object exists', () => {
    const { object } = normalize('PodCliqueSet', pcs((o) => {
      delete (o.spec as Obj).replicas;
      o.spec.updateStrategy = {};
      o.spec.template.headlessServiceConfig = {};
      o.spec.template.podCliqueScalingGroups = [{ name: 'g', cliqueNames: ['b'] }];
      clique0(o).spec.podSpec.containers[0]!.ports = [{ containerPort: 80 }];
    }));
    const spec = object['spec'] as Obj & { template: Obj & { cliques: Obj[] } };
    expect(spec.replicas).toBe(0);
    expect(spec.updateStrategy).toEqual({ type: 'RollingRecreate' });
    expect(spec.template.cliqueStartupType).toBe('CliqueStartupTypeAnyOrder');
    expect(spec.template.headlessServiceConfig).toEqual({ publishNotReadyAddresses: true });
    expect(spec.template.podCliqueScalingGroups).toEqual([{ name: 'g', cliqueNames: ['b'], replicas: 1, minAvailable: 1 }]);
    expect(clique0({ spec }).spec.podSpec.containers[0]!.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(spec.template.terminationDelay).toBeUndefined(); // webhook default, not CRD
  });

  it('matches the apiserver-defaulted object (kubectl create --dry-run=server -o json with our CRD)', () => {
    const input = {
      apiVersion: 'grove.io/v1alpha1',
      kind: 'PodCliqueSet',
      metadata: { name: 'zz4', namespace: 'default' },
      spec: {
        updateStrategy: {},
        template: {
          headlessServiceConfig: {},
          podCliqueScalingGroups: [{ name: 'g', cliqueNames: ['a'] }],
          cliques: [{ name: 'a', bogus: 1, spec: { roleName: 'r', replicas: 1, podSpec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } } }],
        },
      },
    };
    const r = admitOffline('PodCliqueSet', input);
    expect(r.pruned).toEqual(['spec.template.cliques[0].bogus']);
    expect(r.errors).toEqual([]);
    // recorded from kube-apiserver v1.34.4, unchanged in v1.37.2 (--validate=false so the unknown field is pruned, not rejected)
    expect(r.object.spec).toEqual({
      replicas: 0,
      template: {
        cliqueStartupType: 'CliqueStartupTypeAnyOrder',
        cliques: [{ name: 'a', spec: { podSpec: { containers: [{ image: 'i', name: 'c', ports: [{ containerPort: 80, protocol: 'TCP' }] }] }, replicas: 1, roleName: 'r' } }],
        headlessServiceConfig: { publishNotReadyAddresses: true },
        podCliqueScalingGroups: [{ cliqueNames: ['a'], minAvailable: 1, name: 'g', replicas: 1 }],
      },
      updateStrategy: { type: 'RollingRecreate' },
    });
  });

  it('does not invent absent optional objects', () => {
    const { object } = normalize('PodCliqueSet', pcs());
    const spec = object['spec'] as Obj & { template: Obj };
    expect(spec.updateStrategy).toBeUndefined();
    expect(spec.template.headlessServiceConfig).toBeUndefined();
  });

  it('prunes unknown fields and reports their paths, keeping metadata and preserve-unknown subtrees', () => {
    const input = pcs((o) => {
      (o.metadata as Obj).anything = 'kept';
      (o.spec as Obj).foo = 1;
      clique0(o).bar = true;
      clique0(o).spec.podSpec.containers[0]!.imagePullPolicyy = 'Always';
      o.spec.template.resourceClaimTemplates = [
        { name: 't', templateSpec: { metadata: { labels: { a: 'b' }, name: 'dropped' }, spec: { devices: { requests: [{ name: 'r', exactly: { deviceClassName: 'c' } }], config: [{ opaque: { driver: 'd', parameters: { any: { thing: 1 } } } }] } } } },
      ];
    });
    const { object, pruned } = normalize('PodCliqueSet', input);
    expect(pruned).toEqual([
      'spec.foo',
      'spec.template.cliques[0].bar',
      'spec.template.cliques[0].spec.podSpec.containers[0].imagePullPolicyy',
      'spec.template.resourceClaimTemplates[0].templateSpec.metadata.name',
    ]);
    expect((object['metadata'] as Obj).anything).toBe('kept');
    const rct = ((object['spec'] as Obj & { template: Obj & { resourceClaimTemplates: Obj[] } }).template.resourceClaimTemplates[0] as { templateSpec: { spec: { devices: { config: { opaque: Obj }[] } } } });
    expect(rct.templateSpec.spec.devices.config[0]?.opaque['parameters']).toEqual({ any: { thing: 1 } });
    expect((input['spec'] as Obj).foo).toBe(1); // input untouched
  });

  it('drops nulls of non-nullable fields (the tas-large-scale sample case)', () => {
    const input = pcs((o) => (o.spec.template.podCliqueScalingGroups = [{ name: 'g', cliqueNames: ['b'], topologyConstraint: null }]));
    expect(brief(validateStructure('PodCliqueSet', input))).toEqual(['TypeInvalid spec.template.podCliqueScalingGroups[0].topologyConstraint']);
    const { object } = normalize('PodCliqueSet', input);
    expect((object['spec'] as { template: { podCliqueScalingGroups: Obj[] } }).template.podCliqueScalingGroups[0]).toEqual({ name: 'g', cliqueNames: ['b'], replicas: 1, minAvailable: 1 });
    expect(admitOffline('PodCliqueSet', input).errors).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Grove's own samples

const haveSamples = groveSamplesPresent({ suite: 'Grove sample suite (api/validators)', suites: 1 });

describe.skipIf(!haveSamples)('Grove samples (grove-samples/samples and e2e-workloads)', () => {
  const docs = haveSamples ? podCliqueSetDocs('').map(({ file, doc }) => ({ file, name: String((doc['metadata'] as Obj | undefined)?.['name']), doc })) : [];

  it('finds all 58 PodCliqueSets', () => {
    expect(docs).toHaveLength(58);
  });

  it('raw schema validation flags exactly the two samples without roleName and the one with topologyConstraint: null', () => {
    const flagged = docs
      .map((d) => ({ d, errs: validateStructure('PodCliqueSet', d.doc) }))
      .filter((x) => x.errs.length)
      .map((x) => `${x.d.file} ${x.d.name}: ${formatFieldErrors(x.errs)}`);
    expect(flagged).toEqual([
      'e2e-workloads/tas-large-scale.yaml tas-large-scale: spec.template.podCliqueScalingGroups[0].topologyConstraint: Invalid value: "null": spec.template.podCliqueScalingGroups[0].topologyConstraint in body must be of type object: "null"',
      'samples/user-guide/02_pod-and-resource-naming-conventions/multinode-disaggregated-with-frontend.yaml mn-disagg: spec.template.cliques[0].spec.roleName: Required value',
      'samples/user-guide/03_environment-variables-for-pod-discovery/standalone-env-vars.yaml env-demo-standalone: spec.template.cliques[0].spec.roleName: Required value',
    ]);
  });

  it('after apiserver normalization only the two roleName samples fail; nothing is pruned; CEL rules pass', () => {
    // identical to what kube-apiserver v1.37 answers for `kubectl apply --dry-run=server` with our CRDs
    const results = docs.map((d) => ({ d, r: admitOffline('PodCliqueSet', d.doc) }));
    const skipped = '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';
    expect(results.filter((x) => x.r.errors.length).map((x) => `${x.d.file}: ${formatFieldErrors(x.r.errors)}`)).toEqual([
      `samples/user-guide/02_pod-and-resource-naming-conventions/multinode-disaggregated-with-frontend.yaml: [spec.template.cliques[0].spec.roleName: Required value, ${skipped}]`,
      `samples/user-guide/03_environment-variables-for-pod-discovery/standalone-env-vars.yaml: [spec.template.cliques[0].spec.roleName: Required value, ${skipped}]`,
    ]);
    expect(results.flatMap((x) => x.r.pruned)).toEqual([]);
  });
});

describe('golden: error texts recorded from kube-apiserver v1.37.2 with our CRDs (`kubectl create --dry-run=server`)', () => {
  const SKIPPED = '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';
  const cases: [KindName, Obj, string[]][] = [
    [
      'ClusterTopologyBinding',
      { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: 't1' }, spec: { levels: [] } },
      ['spec.levels: Invalid value: 0: spec.levels in body should have at least 1 items'],
    ],
    [
      'ClusterTopologyBinding',
      { apiVersion: 'grove.io/v1alpha1', kind: 'ClusterTopologyBinding', metadata: { name: 't2' }, spec: { levels: [{ domain: 'Zone', key: 'bad key' }, { domain: 'a'.repeat(69), key: '' }] } },
      [
        `spec.levels[0].domain: Invalid value: "Zone": spec.levels[0].domain in body should match '^[a-z][a-z0-9-]*$'`,
        `spec.levels[0].key: Invalid value: "bad key": spec.levels[0].key in body should match '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$'`,
        'spec.levels[1].domain: Too long: may not be more than 63 bytes',
        'spec.levels[1].key: Invalid value: "": spec.levels[1].key in body should be at least 1 chars long',
      ],
    ],
    [
      'PodGang',
      { apiVersion: 'scheduler.grove.io/v1alpha1', kind: 'PodGang', metadata: { name: 'g', namespace: 'default' }, spec: { podgroups: [{ name: 'p', podReferences: [{ name: 'x' }] }] } },
      ['spec.podgroups[0].podReferences[0].namespace: Required value', 'spec.podgroups[0].minReplicas: Required value'],
    ],
    [
      'PodCliqueSet',
      {
        apiVersion: 'grove.io/v1alpha1',
        kind: 'PodCliqueSet',
        metadata: { name: 'lt', namespace: 'default' },
        spec: {
          template: {
            cliques: [{ name: 'a', spec: { roleName: 'r', replicas: 1, podSpec: { containers: [{ name: 'c' }] }, autoScalingConfig: { maxReplicas: 2, metrics: [{ resource: { name: 'cpu' } }] } } }],
            resourceSharing: [{ name: 'x', scope: 'Nope' }],
            topologyConstraint: { pack: { required: 'Rack' } },
          },
        },
      },
      [
        `spec.template.topologyConstraint.pack.required: Invalid value: "Rack": spec.template.topologyConstraint.pack.required in body should match '^[a-z][a-z0-9-]*$'`,
        'spec.template.resourceSharing[0].scope: Unsupported value: "Nope": supported values: "AllReplicas", "PerReplica"',
        'spec.template.cliques[0].spec.autoScalingConfig.metrics[0].resource.target: Required value',
        'spec.template.cliques[0].spec.autoScalingConfig.metrics[0].type: Required value',
        SKIPPED,
      ],
    ],
    [
      'PodCliqueSet',
      {
        apiVersion: 'grove.io/v1alpha1',
        kind: 'PodCliqueSet',
        metadata: { name: 'z', namespace: 'default' },
        spec: {
          replicas: -1,
          template: {
            cliqueStartupType: 'Foo',
            cliques: [
              { name: 'a', spec: { roleName: 'r', replicas: 'x', podSpec: { containers: [{ name: 'c', image: 'i' }, { name: 'c', image: 'j' }] } } },
              { name: 'a', spec: { roleName: 'r2', replicas: 1, podSpec: { containers: [{ name: 'c', image: 'i' }] } } },
            ],
          },
        },
      },
      [
        'spec.template.cliques[0].spec.replicas: Invalid value: "string": spec.template.cliques[0].spec.replicas in body must be of type integer: "string"',
        'spec.template.cliqueStartupType: Unsupported value: "Foo": supported values: "CliqueStartupTypeAnyOrder", "CliqueStartupTypeInOrder", "CliqueStartupTypeExplicit"',
        '.spec.replicas: Invalid value: -1: should be a non-negative integer',
        'spec.template.cliques[1]: Duplicate value: {"name":"a"}',
        'spec.template.cliques[0].spec.podSpec.containers[1]: Duplicate value: {"name":"c"}',
        SKIPPED,
      ],
    ],
    [
      'PodCliqueSet',
      {
        apiVersion: 'grove.io/v1alpha1',
        kind: 'PodCliqueSet',
        metadata: { name: 'yy', namespace: 'default' },
        spec: {
          template: {
            topologyConstraint: { topologyName: 't', packDomain: 'host', pack: { required: 'host' } },
            cliques: [
              { name: 'a', topologyConstraint: { topologyName: 't' }, spec: { roleName: 'r', replicas: 1, podSpec: { containers: [{ name: 'c', image: 'i' }] } } },
              { name: 'b', topologyConstraint: { pack: {} }, spec: { roleName: 'r2', replicas: 1, podSpec: { containers: [{ name: 'c', image: 'i' }] } } },
            ],
          },
        },
      },
      [
        'spec.template.topologyConstraint.packDomain: Forbidden: packDomain is deprecated and cannot be used on new workloads; use pack.required',
        // v1.37 omits the value of an object that fails a rule (v1.34 printed `Invalid value: "object"`)
        'spec.template.topologyConstraint.pack.required: Invalid value: must not set both pack.required and deprecated packDomain',
        'spec.template.cliques[0].topologyConstraint.pack: Required value: topologyConstraint must specify pack or deprecated packDomain',
        'spec.template.cliques[1].topologyConstraint.pack: Required value: pack must specify at least one of required or preferred',
      ],
    ],
  ];

  it.each(cases)('%s %#', (kind, obj, expected) => {
    // same messages; the apiserver's order among schema errors differs slightly, so compare as sets
    const got = admitOffline(kind, obj).errors.map(formatFieldError);
    expect([...got].sort()).toEqual([...expected].sort());
    if (got.includes(SKIPPED)) expect(got[got.length - 1]).toBe(SKIPPED);
  });
});
