import type { CreateDependencies, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import type { BuilderUses } from './builder-nodes';

/** Static edges from each builder to the stacks whose images it names and to its local buildpacks. */
export const createDependencies: CreateDependencies = (_options, context) => {
  const dependencies: RawProjectGraphDependency[] = [];
  const names = new Set(Object.entries(context.projects).map(([key, project]) => project.name ?? key));
  for (const [key, project] of Object.entries(context.projects)) {
    const uses = (project.metadata?.['nx-cnb'] as { uses?: BuilderUses[] } | undefined)?.uses ?? [];
    const source = project.name ?? key;
    for (const use of uses) {
      // Both ends are projects nx-cnb named when it inferred the builder; an edge to a project that is gone is left out.
      if (!names.has(use.project)) continue;
      dependencies.push({ source, target: use.project, type: 'static' as DependencyType.static, sourceFile: use.file });
    }
  }
  return dependencies;
};
