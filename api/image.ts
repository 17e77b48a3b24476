// The copse image (Dockerfile at the repository root): one image holds the server and the init
// program. The init container copse injects runs `node <entry> initc`, so its command must name the
// paths the Dockerfile lays out; a unit test (cli/manifests.test.ts) reads the Dockerfile and the
// Deployment and fails when they drift apart from these constants.
import type { InitContainerConfig } from './desired/startup.js';

/** The image the install manifests deploy and the init container runs, unless COPSE_IMAGE says otherwise. */
export const COPSE_IMAGE = 'copse:0.1.0';
/** The node binary of the distroless Node.js base image (it has no shell, so no PATH lookup either). */
export const IMAGE_NODE = '/nodejs/bin/node';
/** Where the Dockerfile puts bin/copse.js. */
export const IMAGE_ENTRY = '/app/bin/copse.js';

/** The init container's image and command: `COPSE_IMAGE` from the environment, else COPSE_IMAGE. */
export function initContainerConfig(env: NodeJS.ProcessEnv = process.env): InitContainerConfig {
  return { image: env['COPSE_IMAGE'] || COPSE_IMAGE, command: [IMAGE_NODE, IMAGE_ENTRY, 'initc'] };
}
