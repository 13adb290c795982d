/** Options of nx-cnb:check-updates. */
export interface CheckUpdatesExecutorOptions {
  /** The stack's project name and root. */
  project: string;
  stack: string;
  /** Each image's key and the folder of its receipt, workspace-relative. */
  images: { key: string; outputPath: string }[];
  /** Record the mirror's versions in the stack's packages.lock.json. */
  write?: boolean;
  /** Folder for the report (updates.json), workspace-relative. */
  outputPath: string;
}
