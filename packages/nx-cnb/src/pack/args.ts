/** Argument arrays for the pack CLI: pure, so what nx-cnb asks of pack can be tested without it. */

export type PullPolicy = 'always' | 'never' | 'if-not-present';

export interface BuilderCreateRequest {
  /** Image reference of the builder to create. */
  reference: string;
  /** Path of the builder.toml. */
  config: string;
  /** Groups to flatten into one layer each, as pack writes them: "id@version,id@version". */
  flatten: string[];
  pullPolicy: PullPolicy;
  publish?: boolean;
  /** Platforms to create it for ("linux/arm64"): pack's --target, each one of the builder.toml's [[targets]]. */
  targets?: string[];
}

export function builderCreateArgs(request: BuilderCreateRequest): string[] {
  const args = ['builder', 'create', request.reference, '--config', request.config, '--pull-policy', request.pullPolicy];
  for (const group of request.flatten) args.push('--flatten', group);
  for (const target of request.targets ?? []) args.push('--target', target);
  if (request.publish) args.push('--publish');
  return args;
}
