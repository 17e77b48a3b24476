import { describe, expect, it } from 'vitest';
import { EXIT, formatTimeout, parseInitcArgs, UsageError } from './args.js';
import { initcMain } from '../cli/initc.js';

describe('copse initc arguments', () => {
  it("takes Grove's --podcliques=<pclq>:<min>, repeated or comma-separated, with copse's defaults", () => {
    expect(parseInitcArgs(['--podcliques=w-0-a:2', '--podcliques', 'w-0-b:1,w-0-c:3'])).toEqual({
      help: false,
      parents: [
        { podClique: 'w-0-a', minAvailable: 2 },
        { podClique: 'w-0-b', minAvailable: 1 },
        { podClique: 'w-0-c', minAvailable: 3 },
      ],
      timeoutMs: undefined,
      podInfoDir: '/var/grove/pod-info',
      serviceAccountDir: '/var/run/secrets/kubernetes.io/serviceaccount',
      server: undefined,
      terminationLog: '/dev/termination-log',
    });
  });

  it('overrides paths, the API address and the timeout', () => {
    const o = parseInitcArgs(['--podcliques=a:1', '--timeout=1m30s', '--pod-info-dir=/tmp/p', '--service-account-dir=/tmp/s', '--server=https://127.0.0.1:6443/', '--termination-log=/tmp/t']);
    expect(o).toMatchObject({ timeoutMs: 90_000, podInfoDir: '/tmp/p', serviceAccountDir: '/tmp/s', server: 'https://127.0.0.1:6443', terminationLog: '/tmp/t' });
    expect(parseInitcArgs(['--podcliques=a:1', '--timeout=0']).timeoutMs).toBeUndefined();
    expect(formatTimeout(90_000)).toBe('1m30s');
  });

  it.each<[string, string[], string]>([
    ['no parents', [], '--podcliques: at least one <podclique>:<minAvailable> is required'],
    ['a parent without minimum', ['--podcliques=w-0-a'], '--podcliques: "w-0-a" must be <podclique>:<minAvailable>'],
    ['a zero minimum', ['--podcliques=w-0-a:0'], '--podcliques: "w-0-a:0": minAvailable must be a positive integer, got "0"'],
    ['a parent twice', ['--podcliques=w-0-a:1,w-0-a:2'], '--podcliques: "w-0-a" is listed twice'],
    ['a bad timeout', ['--podcliques=a:1', '--timeout=soon'], '--timeout: must be a duration such as 90s, 10m or 1h30m, got "soon"'],
    ['a negative timeout', ['--podcliques=a:1', '--timeout=-5s'], '--timeout: must be a duration such as 90s, 10m or 1h30m, got "-5s"'],
    ['a plain-http server', ['--podcliques=a:1', '--server=http://127.0.0.1:8080'], '--server: must be an https:// URL, got "http://127.0.0.1:8080"'],
    ['an empty directory', ['--podcliques=a:1', '--pod-info-dir='], '--pod-info-dir: must not be empty'],
    ['a stray argument', ['--podcliques=a:1', 'extra'], 'unexpected argument "extra" (flags only; see --help)'],
    ['an unknown flag', ['--podcliques=a:1', '--wait'], "Unknown option '--wait'"],
  ])('%s is a usage error naming the flag', (_what, argv, message) => {
    expect(() => parseInitcArgs(argv)).toThrow(UsageError);
    expect(() => parseInitcArgs(argv)).toThrow(message);
  });

  it('bad arguments exit 2 with the message and the usage on stderr; --help exits 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await initcMain(['--podcliques=x'], {}, io)).toBe(EXIT.usage);
    expect(EXIT.usage).toBe(2);
    expect(err.join('')).toMatch(/^copse initc: --podcliques: "x" must be <podclique>:<minAvailable>\n\nUsage: copse initc/);
    expect(out).toEqual([]);
    expect(await initcMain(['--help'], {}, io)).toBe(0);
    expect(out.join('')).toContain('Exit codes: 0 parents ready, 1 could not run (files, API access), 2 bad arguments, 3 timed out.');
  });
});
