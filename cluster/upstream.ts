// Builds the pinned upstream binaries (kube-apiserver, kube-controller-manager,
// kube-scheduler, kubectl, etcd, kwok) from the Go modules under cluster/upstream/
// and caches them outside the checkout, keyed by a hash of the pins. A cache hit
// costs one stat per binary; a miss is a long `go build`, so progress is printed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, repoRoot } from './paths.js';

export const KUBERNETES_VERSION = 'v1.37.2';
export const ETCD_VERSION = 'v3.6.16';
export const KWOK_VERSION = 'v0.8.0';

interface UpstreamModule {
  /** Folder under cluster/upstream holding go.mod and go.sum. */
  dir: string;
  version: string;
  /** Binary name → Go main package. */
  binaries: Record<string, string>;
  ldflags: string;
}

const kubeVersionFlags = (() => {
  const [major, minor] = KUBERNETES_VERSION.replace(/^v/, '').split('.');
  const vars = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${KUBERNETES_VERSION}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
  return vars.join(' ');
})();

export const MODULES: UpstreamModule[] = [
  {
    dir: 'kubernetes',
    version: KUBERNETES_VERSION,
    binaries: {
      'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
      'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
      'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
      kubectl: 'k8s.io/kubernetes/cmd/kubectl',
    },
    ldflags: `-s -w ${kubeVersionFlags}`,
  },
  { dir: 'etcd', version: ETCD_VERSION, binaries: { etcd: 'go.etcd.io/etcd/server/v3' }, ldflags: '-s -w' },
  {
    dir: 'kwok',
    version: KWOK_VERSION,
    binaries: { kwok: 'sigs.k8s.io/kwok/cmd/kwok' },
    ldflags: `-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION}`,
  },
];

export type BinaryName = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl' | 'etcd' | 'kwok';

export class GoMissingError extends Error {}

function moduleDir(m: UpstreamModule): string {
  return join(repoRoot(), 'cluster', 'upstream', m.dir);
}

/** The oldest Go that builds every pinned module: each go.mod says `go 1.26.0`. */
export const GO_MINIMUM = '1.26.0';

/**
 * The environment of every `go` invocation. Static binaries (no cgo) run on any
 * Linux; the module proxy is the only source, so a build never falls back to
 * cloning a VCS repository; go.mod/go.sum are never rewritten by a build.
 */
export function goBuildEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const proxy = (base.GOPROXY ?? '')
    .split(/[,|]/)
    .filter((p) => p && p !== 'direct' && p !== 'off')
    .join(',');
  return {
    ...base,
    CGO_ENABLED: '0',
    GOPROXY: proxy || 'https://proxy.golang.org',
    GOFLAGS: '-mod=readonly',
    GOTOOLCHAIN: base.GOTOOLCHAIN ?? 'local',
  };
}

/** The part of the build environment that changes the bytes of a binary, for the cache key. */
function buildEnvKey(): string {
  const env = goBuildEnv();
  return ['CGO_ENABLED', 'GOFLAGS', 'GOAMD64', 'GOARM64', 'GOEXPERIMENT'].map((k) => `${k}=${env[k] ?? ''}`).join(';');
}

/** Cache folder for one module: readable version plus a hash of everything that affects the build. */
export function moduleCacheDir(m: UpstreamModule): string {
  const dir = moduleDir(m);
  const hash = createHash('sha256')
    .update(readFileSync(join(dir, 'go.mod')))
    .update(readFileSync(join(dir, 'go.sum')))
    .update(m.ldflags)
    .update(JSON.stringify(m.binaries))
    .update(`${process.platform}/${process.arch}`)
    .update(buildEnvKey())
    .digest('hex')
    .slice(0, 12);
  return join(cacheRoot(), 'upstream', `${m.dir}-${m.version}-${hash}`);
}

export function binaryPath(name: BinaryName): string {
  const m = MODULES.find((mod) => name in mod.binaries);
  if (!m) throw new Error(`unknown upstream binary ${name}`);
  return join(moduleCacheDir(m), name);
}

function moduleComplete(m: UpstreamModule): boolean {
  const dir = moduleCacheDir(m);
  return Object.keys(m.binaries).every((b) => existsSync(join(dir, b)));
}

export function missingModules(): UpstreamModule[] {
  return MODULES.filter((m) => !moduleComplete(m));
}

/** `go version go1.26.8 linux/amd64` → [1, 26, 8]; undefined for anything else. */
export function parseGoVersion(output: string): [number, number, number] | undefined {
  const m = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function goVersionAtLeast(have: [number, number, number], want: string): boolean {
  const w = want.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const a = have[i] ?? 0;
    const b = w[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** Why a found Go cannot build the pins, or undefined when it can (or its version is unreadable: the build will say). */
export function goTooOldMessage(binary: string, versionOutput: string): string | undefined {
  const version = parseGoVersion(versionOutput);
  if (!version || goVersionAtLeast(version, GO_MINIMUM)) return undefined;
  return (
    `copse: the pinned Kubernetes binaries need Go ${GO_MINIMUM} or newer to build, but ${binary} is ${versionOutput.trim()}.\n` +
    `  Install Go ${GO_MINIMUM}+ (https://go.dev/doc/install), or set GO=/path/to/go.`
  );
}

export const GO_MISSING_MESSAGE =
  'copse: the Go toolchain is needed once to build the pinned Kubernetes binaries, but `go` was not found.\n' +
  `  Install Go ${GO_MINIMUM} or newer (https://go.dev/doc/install) and make sure \`go\` is on PATH, or set GO=/path/to/go.`;

function goBinary(): string {
  const candidates = [process.env.GO, 'go', '/usr/local/go/bin/go'].filter((c): c is string => Boolean(c));
  for (const c of candidates) {
    const r = spawnSync(c, ['version'], { encoding: 'utf8', env: goBuildEnv() });
    if (r.status !== 0) continue;
    const tooOld = goTooOldMessage(c, r.stdout);
    if (tooOld) throw new GoMissingError(tooOld);
    return c;
  }
  throw new GoMissingError(GO_MISSING_MESSAGE);
}

type Progress = (line: string) => void;

function run(go: string, args: string[], cwd: string, onLine?: (l: string) => void): Promise<{ code: number; tail: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(go, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: goBuildEnv() });
    const tail: string[] = [];
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        tail.push(line);
        if (tail.length > 40) tail.shift();
        onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? 1, tail: tail.join('\n') }));
  });
}

async function buildModule(go: string, m: UpstreamModule, progress: Progress): Promise<void> {
  const cwd = moduleDir(m);
  const target = moduleCacheDir(m);
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const pkgs = Object.values(m.binaries);

  progress(`[${m.dir} ${m.version}] resolving modules (downloads from the Go module proxy on a cold cache)`);
  let total = 0;
  const list = await run(go, ['list', '-deps', ...pkgs], cwd, () => total++);
  if (list.code !== 0) throw new Error(`go list failed for ${m.dir} ${m.version}:\n${list.tail}`);

  let compiled = 0;
  let last = Date.now();
  const started = Date.now();
  progress(`[${m.dir} ${m.version}] compiling ${Object.keys(m.binaries).join(', ')} (${total} packages; cached ones are skipped)`);
  // One build per binary so each gets its own name (etcd's main package would
  // otherwise be called "server"); compiled packages are shared through the Go cache.
  for (const [name, pkg] of Object.entries(m.binaries)) {
    const build = await run(go, ['build', '-v', '-trimpath', '-ldflags', m.ldflags, '-o', join(staging, name), pkg], cwd, () => {
      compiled++;
      if (Date.now() - last > 15_000) {
        last = Date.now();
        progress(`[${m.dir}] compiled ${compiled}/${total} packages, ${Math.round((Date.now() - started) / 1000)}s`);
      }
    });
    if (build.code !== 0 || !existsSync(join(staging, name))) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`go build of ${name} failed for ${m.dir} ${m.version} (exit ${build.code}):\n${build.tail}`);
    }
  }
  writeFileSync(join(staging, 'BUILD-INFO'), `${m.dir} ${m.version}\nbuilt ${new Date().toISOString()}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  progress(`[${m.dir} ${m.version}] done in ${Math.round((Date.now() - started) / 1000)}s → ${target}`);
}

/** Make sure every pinned binary is in the cache, building what is missing. */
export async function ensureBinaries(progress: Progress = (l) => process.stderr.write(l + '\n')): Promise<void> {
  const missing = missingModules();
  if (missing.length === 0) return;
  const go = goBinary();
  progress(`copse: building ${missing.map((m) => `${m.dir} ${m.version}`).join(', ')} from source (first run only; the cache is ${cacheRoot()})`);
  for (const m of missing) await buildModule(go, m, progress);
}
