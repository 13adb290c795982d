import type { StackReleaseOptions } from '../../receipt/compare';

/** Options of nx-cnb:release-notes. */
export interface ReleaseNotesExecutorOptions extends StackReleaseOptions {
  /** The release version (semver); default: the patch after the newest "<project>@x.y.z" tag or published version. */
  version?: string;
  /** The stack's files whose changes the notes show (Dockerfiles, stack.toml, images.json), workspace-relative. */
  stackFiles: string[];
}
