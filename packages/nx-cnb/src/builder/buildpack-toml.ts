import { ConfigError } from '../errors';
import { Fields } from '../config/fields';
import { parseToml } from '../config/parse';
import { compact, type Distro, isSet, type License, type OrderEntry, plain, readDistros, readLicenses, readOrder, targetProblem } from './modules';

/** The [buildpack] table of a buildpack.toml. */
export interface BuildpackInfo {
  id: string;
  version: string;
  name?: string;
  homepage?: string;
  description?: string;
  keywords?: string[];
  clearEnv?: boolean;
  sbomFormats?: string[];
  licenses?: License[];
  execEnv?: string[];
}

/** A deprecated [[stacks]] entry; id "*" means any stack. */
export interface BuildpackStack {
  id: string;
  mixins: string[];
}

/** A [[targets]] entry of a buildpack.toml; a missing field means "any" in the spec. */
export interface BuildpackTarget {
  os?: string;
  arch?: string;
  variant?: string;
  distros: Distro[];
}

export interface BuildpackDescriptor {
  file: string;
  /** Buildpack API version, such as "0.10". */
  api: string;
  buildpack: BuildpackInfo;
  /** Non-empty for a composite buildpack. */
  order: OrderEntry[];
  stacks: BuildpackStack[];
  targets: BuildpackTarget[];
  metadata?: Record<string, unknown>;
  /** Keys pack ignores (it reads buildpack.toml without checking for unknown keys), one warning each. */
  warnings: string[];
}

const TOP_KEYS = ['api', 'buildpack', 'order', 'stacks', 'targets', 'metadata'] as const;
const INFO_KEYS = ['id', 'name', 'version', 'homepage', 'clear-env', 'description', 'keywords', 'sbom-formats', 'licenses', 'exec-env'] as const;
const STACK_KEYS = ['id', 'mixins'] as const;
const TARGET_KEYS = ['os', 'arch', 'variant', 'distros'] as const;
const API = /^[0-9]+(\.[0-9]+)?$/;
// The buildpack spec: letters, digits, ".", "/" and "-"; a few ids are reserved for lifecycle folders.
const BUILDPACK_ID = /^[A-Za-z0-9./-]+$/;
const RESERVED_IDS = ['app', 'config', 'generated', 'sbom'];

/**
 * Parses a buildpack.toml. Unknown keys become warnings, as pack reads the
 * file without checking for them ([metadata] is the buildpack's own anyway).
 */
export function parseBuildpackToml(file: string, text: string): BuildpackDescriptor {
  const warnings: string[] = [];
  const root = Fields.root(file, parseToml(file, text), 'a table', warnings);
  root.onlyKeys(TOP_KEYS);

  // pack assumes API 0.1 when api is missing, which no current lifecycle supports.
  const api = root.string('api', 'the Buildpack API version as a string such as "0.10"');
  if (!API.test(api)) throw root.error('api', 'a Buildpack API version of the form <major>.<minor>, such as "0.10"');

  const info = root.optionalTable('buildpack');
  if (!info) throw root.error('buildpack', 'a [buildpack] table with id and version');
  const buildpack = readInfo(info);

  const order = readOrder(root, 'order', 'the id of a buildpack in this composite', true);
  const stacks = (root.optionalTables('stacks') ?? []).map(readStack);
  const targets = (root.optionalTables('targets') ?? []).map(readTarget);
  // pack's validateBuildpackDescriptor: a composite has no stacks or targets of its own.
  if (order.length && (stacks.length || targets.length)) {
    throw new ConfigError(
      file,
      'order',
      'no [[order]] alongside [[stacks]] or [[targets]] (a composite buildpack has neither)',
      `${order.length} order entr${order.length === 1 ? 'y' : 'ies'}`,
    );
  }

  const metadata = root.optionalTable('metadata');
  return compact({ file, api, buildpack, order, stacks, targets, metadata: metadata && (plain(metadata.table) as Record<string, unknown>), warnings });
}

function readInfo(info: Fields): BuildpackInfo {
  info.onlyKeys(INFO_KEYS);
  const id = info.string('id', 'a buildpack id such as "acme/node-engine"');
  if (!BUILDPACK_ID.test(id)) throw info.error('id', 'a buildpack id of letters, digits, ".", "/" and "-"');
  if (RESERVED_IDS.includes(id)) throw info.error('id', `an id other than ${RESERVED_IDS.join(', ')} (reserved by the spec)`);
  // pack requires a version ("buildpack.version is required").
  const version = info.string('version', 'a buildpack version such as "1.2.3"');
  // The spec's [[buildpack.exec-env]] tables (API 0.12) do not decode in pack 0.40, which reads a list of strings.
  const execEnv = info.table['exec-env'];
  if (Array.isArray(execEnv) && execEnv.some((e) => typeof e !== 'string')) {
    throw info.error('exec-env', 'an array of strings (pack 0.40 cannot read [[buildpack.exec-env]] tables)');
  }
  return compact({
    id,
    version,
    name: info.optionalString('name'),
    homepage: info.optionalString('homepage'),
    description: info.optionalString('description'),
    keywords: info.optionalStringArray('keywords'),
    clearEnv: info.optionalBoolean('clear-env'),
    sbomFormats: info.optionalStringArray('sbom-formats'),
    licenses: readLicenses(info),
    execEnv: info.optionalStringArray('exec-env'),
  });
}

function readStack(stack: Fields): BuildpackStack {
  stack.onlyKeys(STACK_KEYS);
  const id = stack.string('id', 'a stack id, or "*" for any stack');
  const mixins = stack.optionalStringArray('mixins') ?? [];
  if (id === '*' && mixins.length) throw stack.error('mixins', 'no mixins with stack id "*" (the spec forbids them)');
  return { id, mixins };
}

function readTarget(target: Fields): BuildpackTarget {
  target.onlyKeys(TARGET_KEYS);
  const os = target.optionalString('os');
  const arch = target.optionalString('arch');
  const variant = target.optionalString('variant');
  const problem = targetProblem(target, os, arch, variant);
  if (problem) throw problem;
  return compact({
    os: isSet(os) ? os : undefined,
    arch: isSet(arch) ? arch : undefined,
    variant: isSet(variant) ? variant : undefined,
    distros: readDistros(target),
  });
}
