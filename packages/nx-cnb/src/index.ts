import { createDependencies } from './plugin/dependencies';
import { createNodesV2 } from './plugin/nodes';

export type { NxCnbPluginOptions } from './plugin/options';
export { createDependencies, createNodesV2 };
// Nx 24 reads `createNodes` in the v2 shape; Nx 21-23 read `createNodesV2`.
export const createNodes = createNodesV2;
