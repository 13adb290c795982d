import { ExpectedError } from '../../errors';
import { executor, type Io } from '../executor';
import type { ConfigErrorExecutorOptions } from './schema';

export default executor(reportConfigError);

/**
 * The target of a stack or builder whose files nx-cnb could not read: it
 * fails with the problem inference found, so the project stays in the graph
 * (and `nx show projects` keeps working) while running it says what to fix.
 */
export async function reportConfigError(options: ConfigErrorExecutorOptions, _io: Io): Promise<never> {
  throw new ExpectedError(options.message);
}
