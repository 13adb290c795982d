import { type ImageDiff, cell, changeCount, removals, renderDiffMarkdown, summary } from './package-diff';

/** One image of a release, on one platform. */
export interface ReleaseImage {
  image: string;
  platform: string;
  references: string[];
  imageId: string;
  /** Registry digest, once published. */
  digest: string | null;
  size: number;
  layers: number;
  packages: number;
}

/** What changed in the stack's own files since the baseline's commit. */
export interface ConfigChanges {
  /** The commit compared with; undefined when the baseline names none. */
  since?: string;
  files: { status: string; path: string }[];
  /** `git diff` of those files, shown as is. */
  patch: string;
}

export interface ReleaseNotesInput {
  project: string;
  version: string;
  date: Date;
  baseline: string;
  images: ReleaseImage[];
  diffs: ImageDiff[];
  config: ConfigChanges | undefined;
}

/** The release notes of a stack, in Markdown: images, package changes, sizes and what changed in its files. */
export function renderReleaseNotes(input: ReleaseNotesInput): string {
  const out = [`# ${input.project} ${input.version}`, '', `Released ${input.date.toISOString().slice(0, 10)}. Compared with ${input.baseline}.`, ''];
  const changed = input.diffs.filter((d) => changeCount(d)).length;
  out.push(changed ? `Packages changed in ${changed} of ${input.diffs.length} images.` : `No package changed in any of the ${input.diffs.length} images.`, '');
  const removed = removals(input.diffs);
  if (removed.length) out.push(`**Removed packages** (released with --allowRemovals): ${removed.map(cell).join('; ')}.`, '');

  out.push(
    '## Images',
    '',
    '| image | platform | reference | image ID | digest | size | layers | packages |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const i of input.images) {
    out.push(
      `| ${cell(i.image)} | ${i.platform} | ${i.references.map((r) => `\`${r}\``).join('<br>')} | \`${i.imageId.slice(0, 19)}\` | ${i.digest ? `\`${i.digest}\`` : 'not yet published'} | ${megabytes(i.size)} | ${i.layers} | ${i.packages} |`,
    );
  }
  out.push('');
  out.push('## Package changes by image', '');
  for (const d of input.diffs) out.push(`- ${d.image} (${d.platform}): ${summary(d)}`);
  out.push(
    '',
    renderDiffMarkdown(
      input.diffs.filter((d) => changeCount(d)),
      input.baseline,
      3,
    ).replace(/^### Package changes\n\nAgainst .*\n\n/, ''),
  );

  out.push('## Stack files', '');
  if (!input.config) out.push('The baseline names no commit, so changes to the Dockerfiles and stack.toml cannot be listed.', '');
  else if (!input.config.files.length) out.push(`No Dockerfile, stack.toml or images.json changed since ${input.config.since}.`, '');
  else {
    out.push(`Changed since ${input.config.since}:`, '');
    for (const f of input.config.files) out.push(`- ${f.status} \`${f.path}\``);
    out.push('', '```diff', input.config.patch.trimEnd(), '```', '');
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** A section publish appends once the registry has given each reference its digest (and an index, each platform's). */
export function renderPublished(published: { reference: string; digest: string; platforms?: { platform: string; digest: string }[] }[]): string {
  const lines = published.flatMap((p) => [`- \`${p.reference}@${p.digest}\``, ...(p.platforms ?? []).map((q) => `  - ${q.platform}: \`${q.digest}\``)]);
  return ['## Published', '', ...lines, ''].join('\n');
}

export const NOTES_FILE = 'release-notes.md';
export const RELEASE_FILE = 'release.json';

/** One image of a release on one platform, as release.json names it. */
export interface ReleasedImage {
  image: string;
  platform: string;
  imageId: string;
}

/** release.json: what the notes beside it describe, so publish can tell whether they hold for what it pushes. */
export interface ReleaseRecord {
  project: string;
  version: string;
  baseline: string;
  images: ReleasedImage[];
}

/** Whether two lists name the same images, platforms and image IDs, in any order. */
export function sameImages(a: ReleasedImage[], b: ReleasedImage[]): boolean {
  const keys = (list: ReleasedImage[]) =>
    list
      .map((i) => `${i.image} ${i.platform} ${i.imageId}`)
      .sort()
      .join('\n');
  return keys(a) === keys(b);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A release version: semver MAJOR.MINOR.PATCH. */
export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/**
 * The next version of a stack: the patch after the highest version among its
 * release tags ("<project>@1.4.2", as `nx release` names them) and the
 * versions it was published under; 0.1.0 for its first release.
 */
export function nextPatchVersion(project: string, tags: string[], published: string[] = []): string {
  const versions = [...tags.filter((t) => t.startsWith(`${project}@`)).map((t) => t.slice(project.length + 1)), ...published]
    .map((v) => SEMVER.exec(v))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
  if (!versions.length) return '0.1.0';
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const [major, minor, patch] = versions[versions.length - 1];
  return `${major}.${minor}.${patch + 1}`;
}
