import { ExecutorContext, logger } from '@nx/devkit';

/**
 * Turns a function of (options, workspace root) into an Nx executor: a thrown
 * error becomes a failed task whose message the user sees, not a stack trace.
 */
export function executor<Options>(work: (options: Options, workspaceRoot: string) => Promise<unknown>) {
  return async (options: Options, context: ExecutorContext): Promise<{ success: boolean }> => {
    try {
      await work(options, context.root);
      return { success: true };
    } catch (e) {
      logger.error((e as Error).message);
      return { success: false };
    }
  };
}
