/**
 * Types and readers shared by builder.toml and buildpack.toml: pack decodes
 * both with the structs of its pkg/dist package (ModuleInfo, ModuleRef, Target),
 * so the keys each accepts are the same in both files.
 */
import { type ConfigError } from '../errors';
import { type Fields, isTable } from '../config/fields';
import { platformProblem } from '../oci/platform';

export interface License {
  type?: string;
  uri?: string;
}

/** pack's dist.ModuleInfo: every key pack decodes into a buildpack reference. */
export interface ModuleInfo {
  id?: string;
  name?: string;
  version?: string;
  description?: string;
  homepage?: string;
  keywords?: string[];
  execEnv?: string[];
  licenses?: License[];
  clearEnv?: boolean;
}

/** An entry of an order group or of [system] pre/post (pack's dist.ModuleRef). */
export interface ModuleRef extends ModuleInfo {
  id: string;
  optional?: boolean;
}

export interface OrderEntry {
  group: ModuleRef[];
}

export interface Distro {
  name: string;
  version?: string;
}

export const MODULE_INFO_KEYS = ['id', 'name', 'version', 'description', 'homepage', 'keywords', 'exec-env', 'licenses', 'clear-env'] as const;
const LICENSE_KEYS = ['type', 'uri'] as const;
const DISTRO_KEYS = ['name', 'version'] as const;

/** Drops undefined values, so parsed objects deep-equal (even strictly) the ones callers build. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Go treats an empty string as unset; so do the checks that mirror pack. */
export function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** Reads the ModuleInfo keys of a table whose other keys the caller has already checked. */
export function readModuleInfo(f: Fields): ModuleInfo {
  return compact({
    id: f.optionalString('id'),
    name: f.optionalString('name'),
    version: f.optionalString('version'),
    description: f.optionalString('description'),
    homepage: f.optionalString('homepage'),
    keywords: f.optionalStringArray('keywords'),
    execEnv: f.optionalStringArray('exec-env'),
    licenses: readLicenses(f),
    clearEnv: f.optionalBoolean('clear-env'),
  });
}

export function readLicenses(f: Fields): License[] | undefined {
  return f.optionalTables('licenses')?.map((license) => {
    license.onlyKeys(LICENSE_KEYS);
    return compact({ type: license.optionalString('type'), uri: license.optionalString('uri') });
  });
}

/** One [[order.group]] entry or [system] buildpack: an id is needed to find the buildpack on the builder. */
export function readModuleRef(f: Fields, expectedId: string, versionRequired = false): ModuleRef {
  f.onlyKeys([...MODULE_INFO_KEYS, 'optional']);
  const id = f.string('id', expectedId);
  if (versionRequired) f.string('version', `the version of buildpack ${JSON.stringify(id)}`);
  return compact({ ...readModuleInfo(f), id, optional: f.optionalBoolean('optional') });
}

export function readOrder(f: Fields, key: string, expectedId: string, versionRequired = false): OrderEntry[] {
  return (f.optionalTables(key) ?? []).map((entry) => {
    entry.onlyKeys(['group']);
    return { group: (entry.optionalTables('group') ?? []).map((ref) => readModuleRef(ref, expectedId, versionRequired)) };
  });
}

export function readDistros(f: Fields): Distro[] {
  return (f.optionalTables('distros') ?? []).map((distro) => {
    distro.onlyKeys(DISTRO_KEYS);
    return compact({
      name: distro.string('name', 'a distribution name such as "ubuntu" (the ID of /etc/os-release)'),
      version: distro.optionalString('version'),
    });
  });
}

/**
 * Checks the os, arch and variant of a [[targets]] entry one by one, so the
 * error names the key at fault.
 */
export function targetProblem(f: Fields, os: string | undefined, arch: string | undefined, variant: string | undefined): ConfigError | undefined {
  if (isSet(os)) {
    const problem = platformProblem(`${os}/amd64`);
    if (problem) return f.error('os', problem);
  }
  if (isSet(arch)) {
    const problem = platformProblem(`linux/${arch}`);
    if (problem) return f.error('arch', problem);
  }
  if (isSet(variant)) {
    if (!isSet(arch)) return f.error('arch', `an architecture alongside variant ${JSON.stringify(variant)}`);
    const problem = platformProblem(`linux/${arch}/${variant}`);
    if (problem) return f.error('variant', problem);
  }
  return undefined;
}

/** A plain copy of free-form TOML data (no parser symbols), so it compares and serializes cleanly. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (isTable(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** "id@version", or the bare id when there is no version, as pack's ModuleInfo.FullName(). */
export function fullName(info: { id?: string; version?: string }): string {
  return isSet(info.version) ? `${info.id ?? ''}@${info.version}` : (info.id ?? '');
}
