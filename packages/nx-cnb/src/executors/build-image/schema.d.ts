export interface BuildImageExecutorOptions {
  /** Stack root, relative to the workspace. */
  stack: string;
  /** Key of the image within the stack: build, run, run-tiny, run-static… */
  image: string;
  /** Folder, relative to the workspace, for the receipt and the saved image. */
  outputPath: string;
  /** Registry and namespace to prefix image names with, e.g. "127.0.0.1:5000/acme". */
  repository?: string;
  /** Tags to give the image; the first is the one consumers use. */
  tags?: string[];
  /** Platform to build for; defaults to the engine's own when the stack lists it. */
  platform?: string;
  /** Save the image beside the receipt so that an Nx cache hit carries it. */
  archive?: boolean;
  /** For a run image that derives its mixins ([deprecated] mixins = true): the build image task's output folder, whose receipt lists its packages. */
  mixinsFrom?: string;
}
