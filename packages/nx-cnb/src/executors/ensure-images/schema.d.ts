export interface EnsureImagesExecutorOptions {
  /** Output folders of build-image tasks, relative to the workspace: each holds a receipt and maybe a saved image. */
  outputPaths: string[];
}
