/**
 * What a lifecycle can run, from its lifecycle.toml: the Buildpack APIs pack
 * checks every buildpack against before it adds it to a builder
 * (validateLifecycleCompat: the buildpack's api must equal one the lifecycle
 * supports or deprecates).
 */
import { Fields } from '../config/fields';
import { parseToml } from '../config/parse';
import versions from '../versions.json';

export interface LifecycleApis {
  /** How messages name the lifecycle, e.g. "lifecycle 0.21.14". */
  name: string;
  buildpackApis: string[];
}

/** Read from the lifecycle.toml of the release nx-cnb is tested with, for builders that name it by version. */
const KNOWN: Record<string, string[]> = {
  [versions.lifecycle]: ['0.7', '0.8', '0.9', '0.10', '0.11', '0.12'],
};

/** The Buildpack APIs of a lifecycle named by version, when nx-cnb knows them (pack downloads the others). */
export function knownLifecycleApis(version: string): LifecycleApis | undefined {
  const apis = KNOWN[version.replace(/^v/, '')];
  return apis && { name: `lifecycle ${version}`, buildpackApis: apis };
}

/** The Buildpack APIs a lifecycle.toml lists as supported or deprecated. */
export function parseLifecycleToml(file: string, text: string): LifecycleApis {
  const root = Fields.root(file, parseToml(file, text), 'a table', []);
  const buildpack = root.optionalTable('apis')?.optionalTable('buildpack');
  const version = root.optionalTable('lifecycle')?.optionalString('version');
  return {
    name: version ? `lifecycle ${version}` : file,
    buildpackApis: [...(buildpack?.optionalStringArray('supported') ?? []), ...(buildpack?.optionalStringArray('deprecated') ?? [])],
  };
}

/** Whether two API versions are the same ("0.10" and "0.10.0"; "0.1" is not "0.10"), compared as numbers as the lifecycle does. */
export function sameApi(a: string, b: string): boolean {
  const parts = (v: string) => v.split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  return (x[0] ?? 0) === (y[0] ?? 0) && (x[1] ?? 0) === (y[1] ?? 0);
}
