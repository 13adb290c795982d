import type { FlattenOption } from '../../builder/checks';

export interface CreateBuilderExecutorOptions {
  /** builder.toml, relative to the workspace. */
  config: string;
  /** Image reference of the builder to create. */
  builder: string;
  /** Folder, relative to the workspace, for the builder's receipt. */
  outputPath: string;
  /** Output folders of the build-image tasks whose images the builder uses (their receipts). */
  images?: string[];
  /**
   * Flattening: "composites" (default) puts each composite buildpack and the
   * buildpacks it reaches into one layer, "none" turns it off, or a list of
   * groups as pack writes them ("id@version,id@version").
   */
  flatten?: FlattenOption;
  /** pack's --pull-policy. Default if-not-present: images the workspace built are never pulled. */
  pullPolicy?: 'always' | 'never' | 'if-not-present';
  /** Push the builder to its registry (pack --publish). */
  publish?: boolean;
}
