export interface BuilderGeneratorSchema {
  name: string;
  /** Stack project name (looked up under stacks/) or the stack's folder. */
  stack: string;
  directory?: string;
  /** Buildpack folders (each with a buildpack.toml), relative to the workspace, comma separated. */
  buildpacks?: string;
  /** Registry prefixes to mirror each run image under, comma separated. */
  runImageMirrors?: string;
  lifecycleUri?: string;
  lifecycleVersion?: string;
  description?: string;
}
