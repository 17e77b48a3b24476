import type { Command } from './main.js';

export const serveCommand: Command = {
  summary: 'serve',
  async run() {
    process.stderr.write('copse serve: not available yet\n');
    return 1;
  },
};
