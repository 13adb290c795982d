import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Engine, Log } from '../engine/engine';
import { registryAuth } from '../engine/registry-auth';
import { ConfigError, ExpectedError, step } from '../errors';
import type { ImagePackages } from '../release/package-diff';
import { indexManifests, isIndexMediaType } from '../oci/image-index';
import { formatPlatform } from '../oci/platform';
import { registryHost, withDigest } from '../reference/image-reference';
import type { Registry } from '../registry/registry-client';
import { parseDpkgPackages } from '../stack/image-contents';
import { git, resolveCommit } from '../workspace/git';
import { nxCli, worktreeNxEnv } from '../workspace/nx-cache';
import { readImageReceipt, receiptPackages } from './platform-images';
import { type ImageReceipt, RECEIPT_FILE } from './receipt';

/** Where a stack's release is compared from. */
export type BaselineSpec = { kind: 'published' } | { kind: 'registry' } | { kind: 'ref'; ref: string } | { kind: 'dir'; dir: string };

export const BASELINE_EXPECTED = '"published", "registry", "ref:<git ref>" or "dir:<folder of published receipts>"';

export function parseBaseline(command: string, value: string | undefined): BaselineSpec {
  const text = value ?? 'published';
  if (text === 'published' || text === 'registry') return { kind: text };
  if (text.startsWith('ref:') && text.length > 4) return { kind: 'ref', ref: text.slice(4) };
  if (text.startsWith('dir:') && text.length > 4) return { kind: 'dir', dir: text.slice(4) };
  throw new ConfigError(command, '--baseline', BASELINE_EXPECTED, JSON.stringify(text));
}

/** What a stack is compared with: packages per image and platform, and the commit it was built from when known. */
export interface Baseline {
  label: string;
  commit?: string;
  images: ImagePackages[];
  /** Versions the baseline was published under, for the next version number. */
  versions: string[];
}

/** What reading a baseline needs to know of the stack. */
export interface BaselineContext {
  workspaceRoot: string;
  project: string;
  /** Image keys and the workspace-relative folders of their receipts. */
  images: { key: string; outputPath: string }[];
  /** The folder publish records a release in, workspace-relative. */
  publishPath: string;
  /** The receipts of the current build, for the registry baseline. */
  current: ImageReceipt[];
  engine(): Promise<Engine>;
  registry: Registry;
  /** Progress for the task log (the registry baseline's pulls). */
  log: Log;
}

export async function readBaseline(spec: BaselineSpec, ctx: BaselineContext): Promise<Baseline> {
  switch (spec.kind) {
    case 'published':
      return publishedBaseline(ctx, join(ctx.workspaceRoot, ctx.publishPath), `the last publish (${ctx.publishPath})`, ctx.publishPath);
    case 'dir':
      return publishedBaseline(ctx, resolve(ctx.workspaceRoot, spec.dir), `the published receipts in ${spec.dir}`, spec.dir);
    case 'registry':
      return registryBaseline(ctx);
    case 'ref':
      return refBaseline(ctx, spec.ref);
  }
}

// A baseline an older nx-cnb recorded (one platform per receipt) cannot be read; the registry's images can.
const OLD_BASELINE = 'a baseline recorded by an older nx-cnb cannot be read; compare with --baseline=registry, or publish again with this nx-cnb';

/**
 * The receipts publish copied beside its own (`<publish>/<image>/receipt.json`),
 * and the commit and version it recorded.
 */
async function publishedBaseline(ctx: BaselineContext, dir: string, label: string, shown: string): Promise<Baseline> {
  const receipts: ImageReceipt[] = [];
  for (const { key } of ctx.images) {
    const receipt = await readImageReceipt(join(dir, key), join(shown, key), OLD_BASELINE);
    if (receipt) receipts.push(receipt);
  }
  if (!receipts.length) {
    throw new ExpectedError(
      `baseline ${label}: no published image receipts in ${shown} (publish the stack first, or choose --baseline=registry, ref:<git ref> or dir:<folder>)`,
    );
  }
  const record = JSON.parse(await fs.readFile(join(dir, RECEIPT_FILE), 'utf8').catch(() => '{}')) as { commit?: string; version?: string };
  return { label, commit: record.commit ?? undefined, images: receiptPackages(receipts), versions: record.version ? [record.version] : [] };
}

/**
 * The images as the registry serves them under the references the current
 * receipts name, every platform of an index, their packages read from the
 * images themselves (dpkg's status or status.d). Each is pulled by digest,
 * so no local tag moves.
 */
async function registryBaseline(ctx: BaselineContext): Promise<Baseline> {
  const engine = await ctx.engine();
  const images: ImagePackages[] = [];
  let commit: string | undefined;
  for (const receipt of ctx.current) {
    const reference = receipt.references[0];
    const manifest = await ctx.registry.getManifest(reference);
    if (!manifest) {
      throw new ExpectedError(
        `baseline registry: ${reference} is not in the registry (publish the stack first, or choose --baseline=published, ref:<git ref> or dir:<folder>)`,
      );
    }
    const served = isIndexMediaType(manifest.mediaType)
      ? indexManifests(JSON.parse(manifest.body.toString('utf8')) as { manifests?: [] })
      : [{ platform: undefined, digest: manifest.digest }];
    for (const { platform, digest } of served) {
      const image = withDigest(reference, digest);
      const what = `${reference}${platform ? ` (${platform})` : ''}`;
      await step(`baseline registry: pulling ${what}`, async () => engine.pull(image, await registryAuth(registryHost(reference)), ctx.log, platform));
      const inspected = await engine.inspect(image);
      if (!inspected) throw new ExpectedError(`baseline registry: ${what} is not in the engine after pulling ${image}`);
      const files = await engine.readFiles(inspected.Id, ['/var/lib/dpkg/status', '/var/lib/dpkg/status.d']);
      const packages = parseDpkgPackages([...(files.get('/var/lib/dpkg/status') ?? []), ...(files.get('/var/lib/dpkg/status.d') ?? [])]);
      images.push({
        image: receipt.image,
        platform: platform ?? formatPlatform({ os: inspected.Os ?? 'linux', architecture: inspected.Architecture ?? 'amd64', variant: inspected.Variant }),
        packages,
      });
      commit ??= inspected.Config?.Labels?.['org.opencontainers.image.revision'];
    }
  }
  return { label: 'the images in the registry', commit, images, versions: [] };
}

/**
 * The receipts a build of another commit left in the Nx cache (local or
 * remote): that commit is checked out in a temporary worktree and its image
 * tasks are run there with this workspace's cache, in restore-only mode, so
 * a cache miss fails instead of building.
 */
async function refBaseline(ctx: BaselineContext, ref: string): Promise<Baseline> {
  const commit = await resolveCommit(ctx.workspaceRoot, ref, `baseline ref:${ref}`);
  // Loaded here, not with the module: build-image imports this module, and the devkit alone takes 50 ms to load.
  const { cacheDir } = await import('@nx/devkit');
  const worktree = mkdtempSync(join(tmpdir(), 'nx-cnb-baseline-'));
  try {
    await git(ctx.workspaceRoot, ['worktree', 'add', '--detach', '--force', worktree, commit]);
    const modules = join(ctx.workspaceRoot, 'node_modules');
    if (existsSync(modules) && !existsSync(join(worktree, 'node_modules'))) symlinkSync(modules, join(worktree, 'node_modules'));
    const targets = ctx.images.map((i) => `image-${i.key}`);
    // A run that fails restored too little to compare with: some image would look new, or gone.
    const failed = await promisify(execFile)(
      process.execPath,
      [nxCli(ctx.workspaceRoot), 'run-many', '-t', ...targets, '-p', ctx.project, '--outputStyle=static'],
      {
        cwd: worktree,
        env: { ...worktreeNxEnv(ctx.workspaceRoot, process.env, cacheDir), [RESTORE_ONLY]: commit },
        maxBuffer: 64 * 1024 * 1024,
      },
    ).then(
      () => undefined,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
    if (failed !== undefined) {
      const why = /not in the Nx cache/.test(failed)
        ? 'its image tasks are not in the Nx cache'
        : `its image tasks failed (${failed.trim().split('\n').slice(-3).join(' / ') || 'no output'})`;
      throw new ExpectedError(
        `baseline ref:${ref} (${commit.slice(0, 12)}): ${why}; build that commit once with this cache (or a shared remote cache), or choose --baseline=published or registry`,
      );
    }
    // An image the stack did not have at that commit has no receipt there: it shows as new.
    const receipts: ImageReceipt[] = [];
    for (const { outputPath } of ctx.images) {
      const receipt = await readImageReceipt(join(worktree, outputPath), `${ref}:${outputPath}`, OLD_BASELINE);
      if (receipt) receipts.push(receipt);
    }
    return { label: `${ref} (${commit.slice(0, 12)})`, commit, images: receiptPackages(receipts), versions: [] };
  } finally {
    await git(ctx.workspaceRoot, ['worktree', 'remove', '--force', worktree]).catch(() => undefined);
    await fs.rm(worktree, { recursive: true, force: true });
  }
}

/** Set while a baseline is restored from the cache: an image task that would have to build fails instead. */
export const RESTORE_ONLY = 'NX_CNB_RESTORE_ONLY';
