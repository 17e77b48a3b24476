// `copse initc`: the init program of copse's startup ordering (initc/). Exit codes are in EXIT
// (initc/args.ts); the process exits as soon as the decision is made, so the init container (or the
// local runner, cluster/initc-runner.ts) sees the exit the moment the last parent is ready.
import { EXIT, INITC_HELP, parseInitcArgs, UsageError } from '../initc/args.js';
import { runInitc } from '../initc/run.js';
import type { Command } from './main.js';

/** Parse and run; resolves with the exit code. */
export async function initcMain(argv: readonly string[], env: NodeJS.ProcessEnv, io: { out: (l: string) => void; err: (l: string) => void }): Promise<number> {
  let o;
  try {
    o = parseInitcArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`copse initc: ${err.message}\n\n${INITC_HELP}`);
    return EXIT.usage;
  }
  if (o.help) {
    io.out(INITC_HELP);
    return EXIT.ready;
  }
  return runInitc(o, env, io);
}

export const initcCommand: Command = {
  summary: 'wait for parent PodCliques (the startup-ordering init container)',
  async run(argv) {
    const code = await initcMain(argv, process.env, {
      out: (l) => process.stdout.write(l.endsWith('\n') ? l : `${l}\n`),
      err: (l) => process.stderr.write(l.endsWith('\n') ? l : `${l}\n`),
    });
    // Nothing may keep the exit waiting (a keep-alive socket, a timer): the container is done.
    process.exit(code);
  },
};
