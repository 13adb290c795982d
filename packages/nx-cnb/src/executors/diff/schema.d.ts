import type { StackReleaseOptions } from '../../receipt/compare';

/** Options of nx-cnb:diff: the stack's images, the baseline, and where the diff goes. */
export type DiffExecutorOptions = StackReleaseOptions;
