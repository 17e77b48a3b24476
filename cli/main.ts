// The `copse` command. Each subcommand is a thin wrapper over a module that can
// be used (and tested) on its own; errors print one clear line and exit non-zero.
import { parseArgs } from 'node:util';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  cluster: async () => (await import('./cluster.js')).clusterCommand,
  up: async () => (await import('./up.js')).upCommand,
  down: async () => (await import('./up.js')).downCommand,
  install: async () => (await import('./install.js')).installCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  generate: async () => (await import('./generate.js')).generateCommand,
  initc: async () => (await import('./initc.js')).initcCommand,
};

const usage = `copse — Kubernetes-native orchestration for multi-component AI inference

Usage: copse <command> [options]

Commands:
  up [--example] [--workload-scheduling native|off]
                          start the local control plane, install copse and run its server
  down [--purge]          stop everything \`up\` started (--purge also deletes local state)
  cluster up|down|status|kubeconfig|kubectl
                          manage only the embedded local control plane
  install [--kubeconfig] [--local] [--dynamo]
                          apply copse's CRDs, RBAC and webhook configuration to a cluster
                          (--dynamo: also the NVIDIA Dynamo DynamoGraphDeployment CRD)
  serve [--kubeconfig]    run copse's server (admission webhooks) in the foreground
  generate                regenerate TypeScript types and manifests from the API schemas
  initc --podcliques=NAME:MIN ...
                          wait for parent PodCliques (the startup-ordering init container's program)

Run \`copse <command> --help\` for the options of one command.
`;

export async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv.slice(0, 1), allowPositionals: true, strict: false });
  const name = positionals[0];
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`copse: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  const cmd = await load();
  return cmd.run(argv.slice(1));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${message.startsWith('copse') ? '' : 'copse: '}${message}\n`);
    if (process.env.COPSE_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = 1;
  },
);
