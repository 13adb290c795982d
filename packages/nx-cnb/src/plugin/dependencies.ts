import { type CreateDependencies, DependencyType, type RawProjectGraphDependency, validateDependency } from '@nx/devkit';
import type { BuilderUses } from './builder-nodes';

/** Static edges from each builder to the stacks whose images it names and to its local buildpacks. */
export const createDependencies: CreateDependencies = (_options, context) => {
  const dependencies: RawProjectGraphDependency[] = [];
  for (const [key, project] of Object.entries(context.projects)) {
    const uses = (project.metadata?.['nx-cnb'] as { uses?: BuilderUses[] } | undefined)?.uses ?? [];
    const source = project.name ?? key;
    for (const use of uses) {
      const dependency: RawProjectGraphDependency = { source, target: use.project, type: DependencyType.static, sourceFile: use.file };
      validateDependency(dependency, context);
      dependencies.push(dependency);
    }
  }
  return dependencies;
};
