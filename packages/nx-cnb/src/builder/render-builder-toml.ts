import { tomlString } from '../config/parse';
import type { BuilderToml, ModuleConfig, Target } from './builder-toml';
import type { License, ModuleInfo, ModuleRef, OrderEntry } from './modules';

/**
 * Writes a builder.toml that pack 0.40 reads back as the same config: only
 * keys pack knows, arrays of tables in the layout of pack's and Paketo's
 * examples. parseBuilderToml(file, renderBuilderToml(b)) deep-equals b.
 */
export function renderBuilderToml(b: BuilderToml): string {
  const out = new Writer();
  if (b.description !== undefined) out.line(`description = ${tomlString(b.description)}`);

  if (b.lifecycle) {
    out.table('[lifecycle]');
    out.key('uri', b.lifecycle.uri);
    out.key('version', b.lifecycle.version);
  }

  if (b.stack) {
    out.table('[stack]');
    out.key('id', b.stack.id);
    out.key('build-image', b.stack.buildImage);
    out.key('run-image', b.stack.runImage);
    out.key('run-image-mirrors', b.stack.runImageMirrors);
  }

  if (b.build) {
    out.table('[build]');
    out.key('image', b.build.image);
    for (const env of b.build.env) {
      out.table('[[build.env]]');
      out.key('name', env.name);
      out.key('value', env.value);
      out.key('suffix', env.suffix);
      out.key('delim', env.delim);
      out.key('exec-env', env.execEnv);
    }
  }

  if (b.run) {
    if (!b.run.images.length) out.table('[run]');
    for (const image of b.run.images) {
      out.table('[[run.images]]');
      out.key('image', image.image);
      if (image.mirrors.length) out.key('mirrors', image.mirrors);
    }
  }

  b.targets.forEach((t) => renderTarget(out, 'targets', t));
  b.buildpacks.forEach((m) => renderModule(out, 'buildpacks', m));
  b.extensions.forEach((m) => renderModule(out, 'extensions', m));

  if (b.system) {
    // [[system.*.buildpacks]] implies [system]; the header alone keeps an empty one.
    if (!b.system.pre.length && !b.system.post.length) out.table('[system]');
    for (const part of ['pre', 'post'] as const) {
      for (const ref of b.system[part]) {
        out.table(`[[system.${part}.buildpacks]]`);
        renderRef(out, ref);
      }
    }
  }

  renderOrder(out, 'order', b.order);
  renderOrder(out, 'order-extensions', b.orderExtensions);
  return out.text();
}

function renderModule(out: Writer, key: string, m: ModuleConfig): void {
  out.table(`[[${key}]]`);
  renderInfo(out, m);
  out.key('uri', m.uri);
  out.key('image', m.image);
}

export function renderTarget(out: Writer, key: string, t: Pick<Target, 'arch' | 'variant' | 'distros'> & { os?: string }): void {
  out.table(`[[${key}]]`);
  out.key('os', t.os);
  out.key('arch', t.arch);
  out.key('variant', t.variant);
  for (const d of t.distros) {
    out.table(`[[${key}.distros]]`, 1);
    out.key('name', d.name, 1);
    out.key('version', d.version, 1);
  }
}

export function renderOrder(out: Writer, key: string, order: OrderEntry[]): void {
  for (const entry of order) {
    out.table(`[[${key}]]`);
    entry.group.forEach((ref, j) => {
      out.table(`[[${key}.group]]`, 0, j > 0);
      renderRef(out, ref);
    });
  }
}

function renderRef(out: Writer, ref: ModuleRef): void {
  renderInfo(out, ref);
  out.key('optional', ref.optional);
}

function renderInfo(out: Writer, info: ModuleInfo): void {
  out.key('id', info.id);
  out.key('version', info.version);
  out.key('name', info.name);
  out.key('description', info.description);
  out.key('homepage', info.homepage);
  out.key('keywords', info.keywords);
  out.key('exec-env', info.execEnv);
  out.key('clear-env', info.clearEnv);
  if (info.licenses) out.line(`  licenses = [${info.licenses.map(inlineLicense).join(', ')}]`);
}

function inlineLicense(l: License): string {
  const parts = [l.type !== undefined && `type = ${tomlString(l.type)}`, l.uri !== undefined && `uri = ${tomlString(l.uri)}`].filter(Boolean);
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

/** Lines with one blank line between tables, except between an [[order]] and its first group. */
export class Writer {
  private readonly lines: string[] = [];

  line(text: string): void {
    this.lines.push(text);
  }

  table(header: string, depth = 0, blank = true): void {
    if (this.lines.length && blank) this.lines.push('');
    this.lines.push(`${'  '.repeat(depth)}${header}`);
  }

  key(name: string, value: string | boolean | string[] | undefined, depth = 0): void {
    if (value === undefined) return;
    const rendered = Array.isArray(value) ? `[${value.map(tomlString).join(', ')}]` : typeof value === 'boolean' ? String(value) : tomlString(value);
    this.lines.push(`${'  '.repeat(depth + 1)}${name} = ${rendered}`);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** A TOML basic string: JSON's escapes are TOML's, except that TOML also forbids a raw DEL. */
