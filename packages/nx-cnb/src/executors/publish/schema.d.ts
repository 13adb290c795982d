export interface PublishExecutorOptions {
  /** Output folders of build-image tasks (stack images) or of a create-builder task, relative to the workspace. */
  receipts: string[];
  /** Extra tags to push each image under as well, e.g. a version: ["1.4.0"]. */
  tags?: string[];
  /** builder.toml of a builder, whose run-image mirrors are pushed too. */
  builderConfig?: string;
  /** Output folders of the build-image tasks whose images the builder names: the platforms of its run images, for their mirrors. */
  images?: string[];
  /** Folder for the publish receipt (references and digests), relative to the workspace. */
  outputPath: string;
  /** Folder of a stack's release-notes output: when its release.json names these images, its version is pushed as a tag and the notes are published. */
  releasePath?: string;
  /** Print what would be pushed, push nothing. */
  dryRun?: boolean;
}
