// Grove's sample PodCliqueSets applied unchanged through the real kube-apiserver (defaulted by the
// copse mutating webhook, read back), server-side dry runs, the CRD surface kubectl sees (CRDs,
// explain, printer columns, short names) and robustness of admission (huge objects, excluded
// namespaces, DELETE).
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Obj,
  applyJson,
  clique,
  deniedOnCreate,
  get,
  getJson,
  lines,
  podCliqueSet,
  set,
  uniqueSuffix,
} from '../support/admission.js';
import { groveSamplesPresent, groveSamplesRoot, podCliqueSetDocs } from '../support/grove-samples.js';
import { clients, kubectl, testNamespace } from '../support/kube.js';

const kubeconfig = inject('kubeconfig');
const { core } = clients(kubeconfig);
let ns: { name: string; cleanup: () => Promise<void> };

const GROVE_SAMPLES = join(groveSamplesRoot(), 'samples');
const samplesPresent = groveSamplesPresent({ suite: 'admission e2e', suites: 1, sub: 'samples' });

interface Sample {
  file: string;
  /** The document exactly as written in the file. */
  doc: Obj;
  name: string;
  /** The namespace the sample names, or undefined (applied with `-n <test namespace>`). */
  namespace: string | undefined;
}

function loadSamples(): Sample[] {
  if (!samplesPresent) return [];
  return podCliqueSetDocs('samples').map(({ path, doc }) => {
    const meta = doc.metadata as { name: string; namespace?: string };
    return { file: path, doc: doc as Obj, name: meta.name, namespace: meta.namespace };
  });
}

const samples = loadSamples();
const nsOf = (s: Sample): string => s.namespace ?? ns.name;
/** Sample files by the namespace they are applied in (one kubectl per namespace). */
function filesByNamespace(list: Sample[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of list) {
    const files = out.get(nsOf(s)) ?? [];
    if (!files.includes(s.file)) files.push(s.file);
    out.set(nsOf(s), files);
  }
  return out;
}
const fileArgs = (files: string[]): string[] => files.flatMap((f) => ['-f', f]);

/** kubectl's output for the first apply, per namespace, and every stored sample by `namespace/name`. */
const applied = new Map<string, { code: number; stdout: string; stderr: string }>();
const stored = new Map<string, Obj>();

async function readBack(namespace: string): Promise<Obj[]> {
  const r = await kubectl(kubeconfig, ['get', 'podcliquesets', '-n', namespace, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { items: Obj[] }).items;
}

beforeAll(async () => {
  ns = await testNamespace(core, 'adm-samples');
  // Every sample file exactly as written; ones without a namespace go to the test namespace.
  for (const [namespace, files] of filesByNamespace(samples)) {
    applied.set(namespace, await kubectl(kubeconfig, ['apply', ...fileArgs(files), '-n', namespace]));
    for (const item of await readBack(namespace)) stored.set(`${namespace}/${String(get(item, 'metadata.name'))}`, item);
  }
}, 120_000);

afterAll(async () => {
  // Samples that name a namespace (`default`) are not removed with the test namespace.
  for (const [namespace, files] of filesByNamespace(samples.filter((s) => s.namespace))) {
    await kubectl(kubeconfig, ['delete', ...fileArgs(files), '-n', namespace, '--ignore-not-found', '--wait=false']);
  }
  await ns?.cleanup();
});

// ---------------------------------------------------------------------------------------------
// 1. Grove samples

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v ?? {}) as Json;
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** The defaulted shape of a sample, computed from the document as written (grove-compat §3.2). */
function expectedDefaults(doc: Obj): Json {
  const template = obj(obj(doc.spec).template);
  const cliques = arr(template.cliques).map((c) => {
    const spec = obj(c.spec);
    const replicas = typeof spec.replicas === 'number' && spec.replicas !== 0 ? spec.replicas : 1;
    const podSpec = obj(spec.podSpec);
    const out: Json = {
      name: c.name,
      roleName: spec.roleName || c.name,
      replicas,
      minAvailable: spec.minAvailable ?? replicas,
      restartPolicy: podSpec.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: podSpec.terminationGracePeriodSeconds ?? 30,
    };
    if (spec.autoScalingConfig) out.autoScalingMinReplicas = obj(spec.autoScalingConfig).minReplicas ?? replicas;
    return out;
  });
  const groups = arr(template.podCliqueScalingGroups).map((g) => {
    const replicas = g.replicas ?? 1;
    const out: Json = { name: g.name, replicas, minAvailable: g.minAvailable ?? 1 };
    if (g.scaleConfig) out.scaleMinReplicas = obj(g.scaleConfig).minReplicas ?? replicas;
    return out;
  });
  return {
    replicas: obj(doc.spec).replicas ?? 0,
    cliqueStartupType: template.cliqueStartupType ?? 'CliqueStartupTypeAnyOrder',
    terminationDelay: template.terminationDelay ?? '4h0m0s',
    publishNotReadyAddresses: obj(template.headlessServiceConfig).publishNotReadyAddresses ?? true,
    cliques,
    groups,
  };
}

/** The same projection of a stored object. */
function observedDefaults(stored: Obj): Json {
  const template = obj(obj(stored.spec).template);
  return {
    replicas: obj(stored.spec).replicas,
    cliqueStartupType: template.cliqueStartupType,
    terminationDelay: template.terminationDelay,
    publishNotReadyAddresses: obj(template.headlessServiceConfig).publishNotReadyAddresses,
    cliques: arr(template.cliques).map((c) => {
      const spec = obj(c.spec);
      const podSpec = obj(spec.podSpec);
      const out: Json = {
        name: c.name,
        roleName: spec.roleName,
        replicas: spec.replicas,
        minAvailable: spec.minAvailable,
        restartPolicy: podSpec.restartPolicy,
        terminationGracePeriodSeconds: podSpec.terminationGracePeriodSeconds,
      };
      if (spec.autoScalingConfig) out.autoScalingMinReplicas = obj(spec.autoScalingConfig).minReplicas;
      return out;
    }),
    groups: arr(template.podCliqueScalingGroups).map((g) => {
      const out: Json = { name: g.name, replicas: g.replicas, minAvailable: g.minAvailable };
      if (g.scaleConfig) out.scaleMinReplicas = obj(g.scaleConfig).minReplicas;
      return out;
    }),
  };
}

describe.skipIf(!samplesPresent)('Grove samples apply unchanged', () => {
  it('finds every sample PodCliqueSet', () => {
    expect(samples.map((s) => s.name)).toEqual([
      'simple1',
      'simple2',
      'simple3',
      'comp-inf-ppln',
      'multinode-aggregated',
      'multinode-disaggregated',
      'single-node-aggregated',
      'single-node-disaggregated',
      'mn-disagg',
      'env-demo-pcsg',
      'env-demo-standalone',
    ]);
  });

  it.each(samples.map((s) => [relative(GROVE_SAMPLES, s.file), s] as const))('%s is admitted and defaulted', async (_file, s) => {
    const r = applied.get(nsOf(s));
    expect(r?.stderr).toBe('');
    expect(r?.code).toBe(0);
    // A sample in `default` may have been left by an earlier run; one in the test namespace is new.
    const verbs = s.namespace ? '(created|configured|unchanged)' : 'created';
    const line = lines(r?.stdout ?? '').filter((l) => l.startsWith(`podcliqueset.grove.io/${s.name} `));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(new RegExp(`^podcliqueset\\.grove\\.io/${s.name} ${verbs}$`));
    const pcs = stored.get(`${nsOf(s)}/${s.name}`);
    expect(pcs, 'read back').toBeDefined();
    expect(observedDefaults(pcs as Obj)).toEqual(expectedDefaults(s.doc));
    // Nothing the sample says was changed: every clique keeps its containers.
    const cliquesIn = arr(obj(obj(s.doc.spec).template).cliques);
    arr(get(pcs, 'spec.template.cliques')).forEach((c, i) => {
      expect(obj(obj(c.spec).podSpec).containers).toEqual(obj(obj(cliquesIn[i]?.spec).podSpec).containers);
    });
  });

  it('simple1 carries the documented defaults (grove-compat §8.1)', async () => {
    const s = samples.find((x) => x.name === 'simple1');
    expect(s).toBeDefined();
    const pcs = stored.get(`${nsOf(s as Sample)}/simple1`) as Obj;
    const t = obj(get(pcs, 'spec.template'));
    expect(get(pcs, 'spec.replicas')).toBe(1);
    expect(t.cliqueStartupType).toBe('CliqueStartupTypeAnyOrder');
    expect(t.terminationDelay).toBe('4h0m0s');
    expect(t.headlessServiceConfig).toEqual({ publishNotReadyAddresses: true });
    const cliques = arr(t.cliques);
    expect(cliques.map((c) => [c.name, obj(c.spec).roleName, obj(c.spec).replicas, obj(c.spec).minAvailable])).toEqual([
      ['pca', 'rolea', 3, 3],
      ['pcb', 'roleb', 2, 2],
      ['pcc', 'rolec', 2, 2],
      ['pcd', 'roled', 2, 2],
    ]);
    expect(obj(obj(cliques[0]?.spec).autoScalingConfig)).toMatchObject({ minReplicas: 3, maxReplicas: 5 });
    for (const c of cliques) {
      expect(obj(obj(c.spec).podSpec)).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30 });
    }
    const groups = arr(t.podCliqueScalingGroups);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ name: 'sga', cliqueNames: ['pcb', 'pcc'], replicas: 1, minAvailable: 1 });
    expect(obj(groups[0]?.scaleConfig)).toMatchObject({ minReplicas: 1, maxReplicas: 6 });
  });

  it('a second apply of every sample is admitted and changes nothing', async () => {
    const mine = samples.filter((s) => !s.namespace);
    // Name, generation and spec: the controllers write status (and so resourceVersion) meanwhile,
    // but only a changed spec bumps the generation.
    const specs = async (): Promise<{ name: string; generation: unknown; spec: unknown }[]> =>
      (await readBack(ns.name))
        .map((p) => ({ name: String(get(p, 'metadata.name')), generation: get(p, 'metadata.generation'), spec: get(p, 'spec') }))
        .sort((a, b) => a.name.localeCompare(b.name));
    const before = await specs();
    expect(before.map((p) => p.name)).toEqual(mine.map((s) => s.name).sort((a, b) => a.localeCompare(b)));
    const r = await kubectl(kubeconfig, ['apply', ...fileArgs(mine.map((s) => s.file)), '-n', ns.name]);
    expect(r.stderr).toBe('');
    // The merge patch replaces the (atomic) clique list with the undefaulted one from the file; the
    // webhook defaults it again, so the stored spec does not change (same generation).
    expect(lines(r.stdout)).toEqual(mine.map((s) => `podcliqueset.grove.io/${s.name} configured`));
    expect(await specs()).toEqual(before);
    expect(before.map((p) => p.generation)).toEqual(before.map(() => 1));
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Server-side dry run

describe('--dry-run=server', () => {
  const base = (name: string): Obj => podCliqueSet(name, [clique('leader'), clique('worker', { replicas: 2 })]);

  it('denies an invalid spec with the same message and stores nothing', async () => {
    const pcs = base('dry-invalid');
    set(pcs, 'spec.template.cliques.1.spec.minAvailable', 3);
    const r = await applyJson(kubeconfig, pcs, ['-n', ns.name, '--dry-run=server']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      deniedOnCreate(['spec.template.cliques[1].spec.minAvailable: Invalid value: 3: minAvailable must not be greater than replicas']),
    );
  });

  it('returns the defaulted object without persisting it', async () => {
    const r = await applyJson(kubeconfig, base('dry-valid'), ['-n', ns.name, '--dry-run=server', '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Obj;
    expect(get(out, 'spec.template.terminationDelay')).toBe('4h0m0s');
    expect(get(out, 'spec.template.cliqueStartupType')).toBe('CliqueStartupTypeAnyOrder');
    expect(get(out, 'spec.template.headlessServiceConfig')).toEqual({ publishNotReadyAddresses: true });
    expect(arr(get(out, 'spec.template.cliques')).map((c) => [c.name, obj(c.spec).minAvailable, obj(obj(c.spec).podSpec).restartPolicy])).toEqual([
      ['leader', 1, 'Always'],
      ['worker', 2, 'Always'],
    ]);
    const after = await kubectl(kubeconfig, ['get', 'pcs', 'dry-valid', '-n', ns.name]);
    expect(after.code).toBe(1);
    expect(after.stderr.trim()).toBe('Error from server (NotFound): podcliquesets.grove.io "dry-valid" not found');
  });

  it('dry-runs updates: an immutable change is denied, a mutable one is returned but not stored', async () => {
    const created = await applyJson(kubeconfig, base('dry-update'), ['-n', ns.name]);
    expect(created.stdout.trim()).toBe('podcliqueset.grove.io/dry-update created');

    const immutable = base('dry-update');
    set(immutable, 'spec.template.cliques.1.spec.minAvailable', 1);
    const denied = await applyJson(kubeconfig, immutable, ['-n', ns.name, '--dry-run=server']);
    expect(denied.code).toBe(1);
    expect(lines(denied.stderr).at(-1)).toBe(
      'for: "STDIN": error when patching "STDIN": admission webhook "pcs.validating.webhooks.grove.io" denied the request: spec.template.cliques[1].spec.minAvailable: Invalid value: 1: field is immutable',
    );

    const mutable = base('dry-update');
    set(mutable, 'spec.replicas', 3);
    const ok = await applyJson(kubeconfig, mutable, ['-n', ns.name, '--dry-run=server', '-o', 'json']);
    expect(ok.stderr).toBe('');
    expect(get(JSON.parse(ok.stdout), 'spec.replicas')).toBe(3);
    expect(get(await getJson(kubeconfig, 'pcs', 'dry-update', ns.name), 'spec.replicas')).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 6. CRD surface

describe('CRD surface', () => {
  it('lists exactly the five Grove CRDs', async () => {
    const r = await kubectl(kubeconfig, ['get', 'crd', '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout).filter((l) => l.includes('grove.io'))).toEqual([
      'customresourcedefinition.apiextensions.k8s.io/clustertopologybindings.grove.io',
      'customresourcedefinition.apiextensions.k8s.io/podcliques.grove.io',
      'customresourcedefinition.apiextensions.k8s.io/podcliquescalinggroups.grove.io',
      'customresourcedefinition.apiextensions.k8s.io/podcliquesets.grove.io',
      'customresourcedefinition.apiextensions.k8s.io/podgangs.scheduler.grove.io',
    ]);
  });

  it('kubectl explain prints the schema description of startsAfter', async () => {
    const r = await kubectl(kubeconfig, ['explain', 'pcs.spec.template.cliques.spec.startsAfter']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^GROUP:\s+grove\.io\nKIND:\s+PodCliqueSet\nVERSION:\s+v1alpha1\n/);
    expect(r.stdout).toContain('FIELD: startsAfter <[]string>');
    const description = r.stdout.split('DESCRIPTION:')[1]?.replace(/\s+/g, ' ').trim() ?? '';
    const crd = await getJson(kubeconfig, 'crd', 'podcliquesets.grove.io');
    const field = obj(
      get(crd, 'spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.template.properties.cliques.items.properties.spec.properties.startsAfter'),
    );
    expect(String(field.description).length).toBeGreaterThan(20);
    expect(description).toBe(`${String(field.description)} ${String(obj(field.items).description)}`);
  });

  it('kubectl get pcs shows the printer columns', async () => {
    const r = await kubectl(kubeconfig, ['get', 'pcs', 'dry-update', '-n', ns.name]);
    expect(r.stderr).toBe('');
    const [header, row] = lines(r.stdout);
    expect(header?.trim().split(/\s+/)).toEqual([
      'NAME',
      'REPLICAS',
      'AVAILABLE',
      'UPDATED',
      'PCLQS-UPDATED',
      'PCLQS-TOTAL',
      'PCSGS-UPDATED',
      'PCSGS-TOTAL',
      'AGE',
    ]);
    expect(row?.trim().split(/\s+/).slice(0, 2)).toEqual(['dry-update', '1']);
    const wide = await kubectl(kubeconfig, ['get', 'pcs', 'dry-update', '-n', ns.name, '-o', 'custom-columns=R:.spec.replicas', '--no-headers']);
    expect(wide.stdout.trim()).toBe('1');
  });

  it('registers the short names pcs, pclq, pcsg, ct and pg', async () => {
    const [grove, scheduler] = await Promise.all([
      kubectl(kubeconfig, ['api-resources', '--api-group=grove.io', '--no-headers']),
      kubectl(kubeconfig, ['api-resources', '--api-group=scheduler.grove.io', '--no-headers']),
    ]);
    const rows = [...lines(grove.stdout), ...lines(scheduler.stdout)].map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([
      ['clustertopologybindings', 'ct', 'grove.io/v1alpha1', 'false', 'ClusterTopologyBinding'],
      ['podcliques', 'pclq', 'grove.io/v1alpha1', 'true', 'PodClique'],
      ['podcliquescalinggroups', 'pcsg', 'grove.io/v1alpha1', 'true', 'PodCliqueScalingGroup'],
      ['podcliquesets', 'pcs', 'grove.io/v1alpha1', 'true', 'PodCliqueSet'],
      ['podgangs', 'pg', 'scheduler.grove.io/v1alpha1', 'true', 'PodGang'],
    ]);
    const byShort = await kubectl(kubeconfig, ['get', 'pcs/dry-update', '-n', ns.name, '-o', 'name']);
    expect(byShort.stdout.trim()).toBe('podcliqueset.grove.io/dry-update');
    const others = await kubectl(kubeconfig, ['get', 'pclq,pcsg,pg,ct', '-n', ns.name, '-o', 'name']);
    expect(others.stderr).toBe('');
    expect(others.code).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Robustness

describe('robustness', () => {
  it('admits a PodCliqueSet with 300 cliques and defaults every one', async () => {
    const cliques = Array.from({ length: 300 }, (_, i) => clique(`c${String(i).padStart(3, '0')}`, { replicas: (i % 3) + 1 }));
    // replicas 0: nothing is instantiated from it.
    const r = await applyJson(kubeconfig, podCliqueSet('many-cliques', cliques, {}, 0), ['-n', ns.name]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('podcliqueset.grove.io/many-cliques created');
    const stored = arr(get(await getJson(kubeconfig, 'pcs', 'many-cliques', ns.name), 'spec.template.cliques'));
    expect(stored).toHaveLength(300);
    expect(stored.every((c, i) => obj(c.spec).minAvailable === (i % 3) + 1 && obj(c.spec).roleName === c.name)).toBe(true);
  });

  it('denies 300 cliques with one bad one by naming exactly that one', async () => {
    const cliques = Array.from({ length: 300 }, (_, i) => clique(`c${String(i).padStart(3, '0')}`));
    set(cliques[287], 'spec.minAvailable', 2);
    const r = await applyJson(kubeconfig, podCliqueSet('many-cliques-bad', cliques, {}, 0), ['-n', ns.name]);
    expect(r.stderr.trim()).toBe(
      deniedOnCreate(['spec.template.cliques[287].spec.minAvailable: Invalid value: 2: minAvailable must not be greater than replicas']),
    );
  });

  it('a 1 MiB annotation is a clear 422 from the apiserver, not an internal error', async () => {
    const pcs = podCliqueSet('huge-annotation', [clique('solo')], {}, 0);
    set(pcs, 'metadata.annotations', { 'example.com/blob': 'x'.repeat(1 << 20) });
    const r = await applyJson(kubeconfig, pcs, ['-n', ns.name], 'create');
    expect(r.code).toBe(1);
    expect(lines(r.stderr).slice(0, 2)).toEqual([
      'The PodCliqueSet "huge-annotation" is invalid: ',
      '* metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
    expect(r.stderr).not.toMatch(/InternalError|Internal error|failed calling webhook/);
  });

  it('admits a 1.2 MB object (a large env value) through both webhooks', async () => {
    const pcs = podCliqueSet('huge-env', [clique('solo', { podSpec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', env: [{ name: 'BLOB', value: 'y'.repeat(1_200_000) }] }] } })], {}, 0);
    const r = await applyJson(kubeconfig, pcs, ['-n', ns.name], 'create');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('podcliqueset.grove.io/huge-env created');
    const stored = await kubectl(kubeconfig, ['get', 'pcs', 'huge-env', '-n', ns.name, '-o', 'jsonpath={.spec.template.terminationDelay} {.spec.template.cliques[0].spec.minAvailable}']);
    expect(stored.stdout).toBe('4h0m0s 1');
  });

  it.each(['kube-system', 'copse-system'])('does not intercept PodCliqueSets in %s (namespaceSelector)', async (namespace) => {
    const name = `adm-bypass-${uniqueSuffix()}`;
    // Invalid only by the webhook's rules (minAvailable > replicas), and not defaulted by it.
    const pcs = podCliqueSet(name, [clique('leader'), clique('worker', { replicas: 2, minAvailable: 3 })]);
    try {
      const r = await applyJson(kubeconfig, pcs, ['-n', namespace]);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`podcliqueset.grove.io/${name} created`);
      const stored = await getJson(kubeconfig, 'pcs', name, namespace);
      expect(get(stored, 'spec.template.cliques.1.spec.minAvailable')).toBe(3);
      expect(get(stored, 'spec.template.terminationDelay')).toBeUndefined();
      expect(get(stored, 'spec.template.headlessServiceConfig')).toBeUndefined();
      expect(get(stored, 'spec.template.cliques.0.spec.minAvailable')).toBeUndefined();
      // An update there is not intercepted either.
      set(pcs, 'spec.template.cliques.1.spec.minAvailable', 4);
      const u = await applyJson(kubeconfig, pcs, ['-n', namespace]);
      expect(u.stdout.trim()).toBe(`podcliqueset.grove.io/${name} configured`);
    } finally {
      const d = await kubectl(kubeconfig, ['delete', 'pcs', name, '-n', namespace, '--ignore-not-found']);
      expect(d.stdout.trim()).toBe(`podcliqueset.grove.io "${name}" deleted from ${namespace} namespace`);
    }
  });

  it('DELETE is always allowed', async () => {
    const names = ['many-cliques', 'huge-env', 'dry-update'];
    const r = await kubectl(kubeconfig, ['delete', 'pcs', ...names, '-n', ns.name]);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(names.map((n) => `podcliqueset.grove.io "${n}" deleted from ${ns.name} namespace`));
    const left = await kubectl(kubeconfig, ['get', 'pcs', ...names, '-n', ns.name, '--ignore-not-found', '-o', 'name']);
    expect(left.stdout).toBe('');
  });
});
