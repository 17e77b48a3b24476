import { loadAllYaml } from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COPSE_IMAGE, IMAGE_ENTRY, IMAGE_NODE } from '../api/image.js';
import { repoRoot } from '../cluster/paths.js';
import { DEFAULT_CA_SECRET_NAME } from '../certs/store.js';
import { caInjectionTargets } from '../webhooks/registry.js';
import { DEFAULT_SECRET_NAME } from '../webhooks/run.js';
import { apiServiceObject, DEFAULT_API_SECRET_NAME, DEFAULT_API_SERVICE_NAME } from '../apiserver/register.js';
import { APISERVICE_NAME, SERVED } from '../apiserver/resources.js';
import { allCrds } from '../api/crds.js';
import { resourceFor } from '../kube/resources.js';
import { manifestObjects } from './install.js';
import { CONTROLLER_GRANTS, LEADER_ELECTION_GRANTS, NATIVE_GRANTS, rulesOf } from '../controllers/permissions.js';
import { CONTROLLER_RBAC_FILE, renderManifests, SERVICE_ACCOUNT, STATIC_INSTALL_FILES } from './manifests.js';
import { EXAMPLE_FILE } from './stack.js';

describe('generated manifests', () => {
  const rendered = renderManifests();

  it.each([...rendered.keys()])('%s matches the checked-in file (run `npm run generate` after changing the source)', (rel) => {
    expect(readFileSync(join(repoRoot(), rel), 'utf8')).toBe(rendered.get(rel));
  });

  it('every object `copse install` and `copse up --example` apply has a known resource (no discovery needed)', () => {
    const objects = [...allCrds(), ...[...STATIC_INSTALL_FILES, 'install/webhooks.yaml'].flatMap((f) => manifestObjects(join(repoRoot(), 'manifests', f))), ...manifestObjects(join(repoRoot(), EXAMPLE_FILE))];
    const kinds = [...new Set(objects.map((o) => `${o.apiVersion} ${o.kind} → ${resourceFor(o.apiVersion, o.kind).resource}`))].sort();
    expect(kinds).toEqual([
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration → mutatingwebhookconfigurations',
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration → validatingwebhookconfigurations',
      'apiextensions.k8s.io/v1 CustomResourceDefinition → customresourcedefinitions',
      'apiregistration.k8s.io/v1 APIService → apiservices',
      'apps/v1 Deployment → deployments',
      'grove.io/v1alpha1 PodCliqueSet → podcliquesets',
      'rbac.authorization.k8s.io/v1 ClusterRole → clusterroles',
      'rbac.authorization.k8s.io/v1 ClusterRoleBinding → clusterrolebindings',
      'rbac.authorization.k8s.io/v1 Role → roles',
      'rbac.authorization.k8s.io/v1 RoleBinding → rolebindings',
      'v1 Namespace → namespaces',
      'v1 Service → services',
      'v1 ServiceAccount → serviceaccounts',
    ]);
  });

  it('kustomization lists every install file, and each exists', () => {
    const k = loadAllYaml(rendered.get('manifests/kustomization.yaml') ?? '')[0] as { resources: string[] };
    expect(k.resources).toEqual(['crds', ...STATIC_INSTALL_FILES, 'install/webhooks.yaml']);
    for (const r of k.resources) expect(existsSync(join(repoRoot(), 'manifests', r)), r).toBe(true);
  });

  it('webhook configurations point at the copse-webhook Service and carry no caBundle', () => {
    const docs = loadAllYaml(rendered.get('manifests/install/webhooks.yaml') ?? '') as Array<{
      kind: string;
      metadata: { name: string };
      webhooks: Array<{ name: string; clientConfig: { service?: { name: string; namespace: string; path: string }; caBundle?: string } }>;
    }>;
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'MutatingWebhookConfiguration/copse-pod-startup-webhook',
      'MutatingWebhookConfiguration/podcliqueset-defaulting-webhook',
      'ValidatingWebhookConfiguration/clustertopology-validating-webhook',
      'ValidatingWebhookConfiguration/copse-dynamographdeployment-validating-webhook',
      'ValidatingWebhookConfiguration/podcliqueset-validating-webhook',
    ]);
    for (const d of docs) {
      for (const w of d.webhooks) {
        expect(w.clientConfig.service).toMatchObject({ name: 'copse-webhook', namespace: 'copse-system' });
        expect(w.clientConfig.caBundle).toBeUndefined();
      }
    }
  });

  it('RBAC names exactly the Secrets and webhook configurations the code writes', () => {
    type Rule = { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] };
    const docs = loadAllYaml(readFileSync(join(repoRoot(), 'manifests/install/rbac.yaml'), 'utf8')) as Array<{ kind: string; rules?: Rule[] }>;
    const rules = (kind: string): Rule[] => docs.find((d) => d.kind === kind)?.rules ?? [];
    expect(rules('Role')).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: [DEFAULT_SECRET_NAME, DEFAULT_CA_SECRET_NAME], verbs: ['get', 'list', 'watch', 'update'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    const targets = caInjectionTargets();
    expect(rules('ClusterRole')).toEqual([
      { apiGroups: ['grove.io'], resources: ['clustertopologybindings'], verbs: ['get'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], resourceNames: targets.mutatingWebhookConfigurations, verbs: ['get', 'patch'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: targets.validatingWebhookConfigurations, verbs: ['get', 'patch'] },
    ]);
  });

  it('controller-rbac.yaml holds exactly the permissions table, each role bound to copse\'s ServiceAccount', () => {
    type Doc = { kind: string; metadata: { name: string; namespace?: string }; rules?: unknown[]; roleRef?: { kind: string; name: string }; subjects?: unknown[] };
    const docs = loadAllYaml(rendered.get(`manifests/${CONTROLLER_RBAC_FILE}`) ?? '') as Doc[];
    const roles = docs.filter((d) => d.kind.endsWith('Role')).map((d) => [`${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`, d.rules]);
    expect(roles).toEqual([
      ['ClusterRole//copse-controller', rulesOf(CONTROLLER_GRANTS)],
      ['Role/copse-system/copse-controller', rulesOf(LEADER_ELECTION_GRANTS)],
      ['ClusterRole//copse-native-scheduling', rulesOf(NATIVE_GRANTS)],
    ]);
    const bindings = docs.filter((d) => d.kind.endsWith('Binding')).map((d) => [d.kind, d.metadata.namespace, d.roleRef?.kind, d.roleRef?.name, d.subjects]);
    const sa = [{ kind: 'ServiceAccount', ...SERVICE_ACCOUNT }];
    expect(bindings).toEqual([
      ['ClusterRoleBinding', undefined, 'ClusterRole', 'copse-controller', sa],
      ['RoleBinding', 'copse-system', 'Role', 'copse-controller', sa],
      ['ClusterRoleBinding', undefined, 'ClusterRole', 'copse-native-scheduling', sa],
    ]);
    expect(SERVICE_ACCOUNT).toEqual({ namespace: 'copse-system', name: 'copse' });
  });

  describe('the aggregated API (install/apiserver.yaml)', () => {
    type Rule = { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] };
    type Doc = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: unknown; rules?: Rule[]; roleRef?: { kind: string; name: string } };
    const docs = loadAllYaml(readFileSync(join(repoRoot(), 'manifests/install/apiserver.yaml'), 'utf8')) as Doc[];
    const find = (kind: string, name: string): Doc | undefined => docs.find((d) => d.kind === kind && d.metadata.name === name);

    it('registers the APIService the code builds, at the copse-api Service, with no caBundle', () => {
      const svc = find('APIService', APISERVICE_NAME);
      expect(svc?.spec).toEqual(apiServiceObject({ namespace: 'copse-system', service: DEFAULT_API_SERVICE_NAME, port: 443 }).spec);
      expect(find('Service', DEFAULT_API_SERVICE_NAME)?.spec).toEqual({ selector: { 'app.kubernetes.io/name': 'copse' }, ports: [{ name: 'aggregated-api', port: 443, targetPort: 'aggregated-api' }] });
    });

    it('binds auth-delegator and the authentication reader, and names the serving Secret the code writes', () => {
      expect(find('ClusterRoleBinding', 'copse-apiserver:system:auth-delegator')?.roleRef).toMatchObject({ kind: 'ClusterRole', name: 'system:auth-delegator' });
      const reader = find('RoleBinding', 'copse-apiserver-auth-reader');
      expect([reader?.metadata.namespace, reader?.roleRef?.kind, reader?.roleRef?.name]).toEqual(['kube-system', 'Role', 'extension-apiserver-authentication-reader']);
      expect(find('Role', 'copse-apiserver')?.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: [DEFAULT_API_SECRET_NAME], verbs: ['get', 'list', 'watch', 'update'] }]);
      expect(find('ClusterRole', 'copse-apiserver')?.rules?.at(-1)).toEqual({ apiGroups: ['apiregistration.k8s.io'], resources: ['apiservices'], resourceNames: [APISERVICE_NAME], verbs: ['get', 'patch'] });
    });

    it('gives people read of every served resource and subresource, aggregated into view', () => {
      const rbac = loadAllYaml(readFileSync(join(repoRoot(), 'manifests/install/rbac.yaml'), 'utf8')) as Doc[];
      const view = rbac.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'copse-live-view');
      expect(view?.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-view']).toBe('true');
      expect(view?.rules).toEqual([{ apiGroups: ['live.copse.io'], resources: SERVED.flatMap((r) => [r.name, ...r.subresources.map((s) => `${r.name}/${s}`)]), verbs: ['get', 'list', 'watch'] }]);
    });

    it('the Deployment exposes the aggregated API port the Service targets, at the default --api-bind-address port', () => {
      const d = loadAllYaml(readFileSync(join(repoRoot(), 'manifests/install/deployment.yaml'), 'utf8'))[0] as { spec: { template: { spec: { containers: { ports: { name: string; containerPort: number }[] }[] } } } };
      expect(d.spec.template.spec.containers[0]?.ports).toContainEqual({ name: 'aggregated-api', containerPort: 6443 });
    });
  });

  it('the Dockerfile, the Deployment and the injected init container agree on the image and its layout', () => {
    const dockerfile = readFileSync(join(repoRoot(), 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`ENTRYPOINT ${JSON.stringify([IMAGE_NODE, IMAGE_ENTRY])}`.replace(/","/g, '", "'));
    expect(dockerfile).toMatch(/^FROM gcr\.io\/distroless\/nodejs20-debian12:nonroot$/m);
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
    // bin/copse.js lands at IMAGE_ENTRY: WORKDIR /app, bin copied to ./bin.
    expect(IMAGE_ENTRY).toBe('/app/bin/copse.js');
    expect(dockerfile).toMatch(/^WORKDIR \/app\nCOPY --from=build \/src\/package\.json/m);
    expect(dockerfile).toContain('COPY --from=build /src/bin ./bin');
    const version = (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    expect(COPSE_IMAGE).toBe(`copse:${version}`);
    type Container = { image: string; env?: { name: string; value?: string }[] };
    const deployment = loadAllYaml(readFileSync(join(repoRoot(), 'manifests/install/deployment.yaml'), 'utf8'))[0] as { spec: { template: { spec: { containers: Container[] } } } };
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.image).toBe(COPSE_IMAGE);
    expect(container?.env?.find((e) => e.name === 'COPSE_IMAGE')?.value).toBe(COPSE_IMAGE);
  });
});
