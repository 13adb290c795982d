export interface ConfigErrorExecutorOptions {
  /** The problem inference found: file, field, what was expected and what was found. */
  message: string;
}
