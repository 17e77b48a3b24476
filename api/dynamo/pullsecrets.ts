// Image pull secret discovery (dynamo-dgd.md §2.5 step 6): the operator adds to a pod the
// docker-config Secrets of the namespace that hold credentials for the registry of the main
// container's image. Pure: the shell lists the Secrets and passes the result to the translation
// (DynamoTranslateOptions.imagePullSecrets).

import type { Secret } from '../core/wire.js';

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The registry host of an image reference: `nvcr.io/nvidia/x:1` → `nvcr.io`, `ubuntu` → `docker.io`. */
export function imageRegistry(image: string): string {
  const first = image.split('/')[0] ?? '';
  const isHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return normalizeRegistry(isHost ? first : DOCKER_HUB);
}

/** A docker config `auths` key as a bare host: scheme, path and Docker Hub aliases removed. */
export function normalizeRegistry(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0]?.toLowerCase() ?? '';
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** Registries a `kubernetes.io/dockerconfigjson` (or legacy `dockercfg`) Secret has credentials for. */
export function secretRegistries(secret: Secret): string[] {
  const data = secret.data ?? {};
  let auths: unknown;
  try {
    if (secret.type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson']) {
      auths = (JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8')) as { auths?: unknown }).auths;
    } else if (secret.type === 'kubernetes.io/dockercfg' && data['.dockercfg']) {
      auths = JSON.parse(Buffer.from(data['.dockercfg'], 'base64').toString('utf8'));
    }
  } catch {
    return [];
  }
  if (typeof auths !== 'object' || auths === null) return [];
  return Object.keys(auths).map(normalizeRegistry);
}

/** Names of the Secrets (sorted) with credentials for the registry of `image`. */
export function pullSecretsForImage(image: string, secrets: readonly Secret[]): string[] {
  const registry = imageRegistry(image);
  return secrets
    .filter((s) => secretRegistries(s).includes(registry))
    .map((s) => s.metadata?.name ?? '')
    .filter((n) => n !== '')
    .sort();
}
