import type { Package } from '../stack/image-contents';
import { compareDebianVersions } from './debian-version';

/** The packages of one image on one platform, from a receipt, a published image or a lock. */
export interface ImagePackages {
  /** The image key within its stack: "build", "run", "run-tiny"… */
  image: string;
  platform: string;
  packages: Package[];
}

export interface VersionChange {
  name: string;
  architecture: string;
  from: string;
  to: string;
}

export interface PackageDiff {
  added: Package[];
  removed: Package[];
  upgraded: VersionChange[];
  downgraded: VersionChange[];
  unchanged: number;
}

/** One image on one platform against its baseline; `baseline` is false for an image the baseline lacks. */
export interface ImageDiff extends PackageDiff {
  image: string;
  platform: string;
  inBaseline: boolean;
  inCurrent: boolean;
}

/** A package is itself per architecture: libc6 for amd64 and for i386 can sit side by side. */
const key = (p: Pick<Package, 'name' | 'architecture'>) => `${p.name}:${p.architecture}`;

export function diffPackages(baseline: Package[], current: Package[]): PackageDiff {
  const before = new Map(baseline.map((p) => [key(p), p]));
  const after = new Map(current.map((p) => [key(p), p]));
  const diff: PackageDiff = { added: [], removed: [], upgraded: [], downgraded: [], unchanged: 0 };
  for (const [k, now] of after) {
    const then = before.get(k);
    if (!then) diff.added.push(now);
    else {
      const order = compareDebianVersions(now.version, then.version);
      const change = { name: now.name, architecture: now.architecture, from: then.version, to: now.version };
      if (order > 0) diff.upgraded.push(change);
      else if (order < 0) diff.downgraded.push(change);
      else diff.unchanged++;
    }
  }
  for (const [k, then] of before) if (!after.has(k)) diff.removed.push(then);
  const byName = (a: { name: string; architecture: string }, b: { name: string; architecture: string }) =>
    a.name.localeCompare(b.name) || a.architecture.localeCompare(b.architecture);
  for (const list of [diff.added, diff.removed, diff.upgraded, diff.downgraded]) list.sort(byName);
  return diff;
}

/**
 * Every image and platform of the current build against the baseline's.
 * An image new since the baseline shows all its packages as added; an image
 * the build no longer makes shows all its packages as removed.
 */
export function diffImages(baseline: ImagePackages[], current: ImagePackages[]): ImageDiff[] {
  const id = (i: ImagePackages) => `${i.image} ${i.platform}`;
  const before = new Map(baseline.map((i) => [id(i), i]));
  const after = new Map(current.map((i) => [id(i), i]));
  const ids = [...new Set([...after.keys(), ...before.keys()])];
  return ids.map((k) => {
    const then = before.get(k);
    const now = after.get(k);
    const { image, platform } = (now ?? then)!;
    return { image, platform, inBaseline: !!then, inCurrent: !!now, ...diffPackages(then?.packages ?? [], now?.packages ?? []) };
  });
}

export function changeCount(diff: PackageDiff): number {
  return diff.added.length + diff.removed.length + diff.upgraded.length + diff.downgraded.length;
}

/** The removals that block a release, as "image (platform): name" lines. */
export function removals(diffs: ImageDiff[]): string[] {
  return diffs.flatMap((d) => d.removed.map((p) => `${d.image} (${d.platform}): ${p.name} ${p.version}`));
}

/** The diff for a terminal: one block per image and platform, one line per change. */
export function renderDiffText(diffs: ImageDiff[], baseline: string): string {
  const lines = [`package changes against ${baseline}:`];
  for (const d of diffs) {
    const note = !d.inBaseline ? ' (new image)' : !d.inCurrent ? ' (no longer built)' : '';
    lines.push(`${d.image} (${d.platform})${note}: ${summary(d)}`);
    for (const p of d.added) lines.push(`  + ${p.name} ${p.version}`);
    for (const p of d.removed) lines.push(`  - ${p.name} ${p.version}`);
    for (const c of d.upgraded) lines.push(`  ^ ${c.name} ${c.from} -> ${c.to}`);
    for (const c of d.downgraded) lines.push(`  v ${c.name} ${c.from} -> ${c.to}`);
  }
  return lines.join('\n') + '\n';
}

export function summary(d: PackageDiff): string {
  if (!changeCount(d)) return `no changes (${d.unchanged} packages)`;
  const parts = [
    [d.added.length, 'added'],
    [d.removed.length, 'removed'],
    [d.upgraded.length, 'upgraded'],
    [d.downgraded.length, 'downgraded'],
  ].filter(([n]) => n) as [number, string][];
  return `${parts.map(([n, what]) => `${n} ${what}`).join(', ')}, ${d.unchanged} unchanged`;
}

/** The diff as Markdown: a section per image and platform with one table of its changes. */
export function renderDiffMarkdown(diffs: ImageDiff[], baseline: string, headingLevel = 2): string {
  const h = '#'.repeat(headingLevel);
  const out = [`${h} Package changes`, '', `Against ${baseline}.`, ''];
  for (const d of diffs) {
    const note = !d.inBaseline ? ' (new image)' : !d.inCurrent ? ' (no longer built)' : '';
    out.push(`${h}# ${d.image} (${d.platform})${note}`, '', summary(d) + '.', '');
    if (!changeCount(d)) continue;
    out.push('| change | package | from | to |', '| --- | --- | --- | --- |');
    for (const p of d.added) out.push(`| added | ${cell(p.name)} | | ${cell(p.version)} |`);
    for (const p of d.removed) out.push(`| removed | ${cell(p.name)} | ${cell(p.version)} | |`);
    for (const c of d.upgraded) out.push(`| upgraded | ${cell(c.name)} | ${cell(c.from)} | ${cell(c.to)} |`);
    for (const c of d.downgraded) out.push(`| downgraded | ${cell(c.name)} | ${cell(c.from)} | ${cell(c.to)} |`);
    out.push('');
  }
  return out.join('\n');
}

/** Text safe inside a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
