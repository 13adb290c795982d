/** Renders stack files in the dialects of Paketo's stack repositories and `jam`. */
import { tomlString } from '../config/parse';

export interface ImageToRender {
  description: string;
  dockerfile: string;
  uid: number;
  gid: number;
  shell: string;
  args: Record<string, string>;
  /** Comment lines above the args: why the image carries its packages. */
  notes?: string[];
}

export interface StackTomlToRender {
  id: string;
  name?: string;
  homepage?: string;
  supportUrl?: string;
  bugReportUrl?: string;
  maintainer?: string;
  platforms: string[];
  build?: ImageToRender;
  run?: ImageToRender;
}

export function renderStackToml(stack: StackTomlToRender): string {
  const lines = [`id = ${tomlString(stack.id)}`];
  const top = {
    name: stack.name,
    homepage: stack.homepage,
    'support-url': stack.supportUrl,
    'bug-report-url': stack.bugReportUrl,
    maintainer: stack.maintainer,
  };
  for (const [key, value] of Object.entries(top)) if (value) lines.push(`${key} = ${tomlString(value)}`);
  lines.push('', `platforms = [${stack.platforms.map(tomlString).join(', ')}]`);
  for (const kind of ['build', 'run'] as const) {
    const image = stack[kind];
    if (!image) continue;
    lines.push(
      '',
      `[${kind}]`,
      `  description = ${tomlString(image.description)}`,
      `  dockerfile = ${tomlString(image.dockerfile)}`,
      `  gid = ${image.gid}`,
      `  shell = ${tomlString(image.shell)}`,
      `  uid = ${image.uid}`,
    );
    const args = Object.entries(image.args);
    if (args.length) {
      lines.push('', ...(image.notes ?? []).map((note) => `  # ${note}`), `  [${kind}.args]`);
      for (const [key, value] of args) lines.push(`    ${key} = ${key === 'packages' ? packageList(value) : tomlString(value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** A package list in Paketo's style: one per line, joined into one string by TOML's line-ending backslash. */
function packageList(value: string): string {
  const packages = value.split(/\s+/).filter(Boolean);
  return `"""\\\n${packages.map((p) => `      ${p}`).join(' \\\n')}"""`;
}

export interface ImagesJsonEntryToRender {
  name: string;
  configDir: string;
  createBuildImage: boolean;
  stackType: string;
}

/** `namePrefix` names the images "<prefix>-build", "<prefix>-run-tiny"… instead of after the distro. */
export function renderImagesJson(json: {
  osName: string;
  osCodename: string;
  platforms: string[];
  images: ImagesJsonEntryToRender[];
  namePrefix?: string;
}): string {
  const first = json.namePrefix ?? 'os_name-os_codename';
  const document = {
    platforms: json.platforms,
    os_name: json.osName,
    os_codename: json.osCodename,
    images: json.images.map((image) => ({
      name: image.name,
      config_dir: image.configDir,
      build_image: 'build',
      run_image: 'run',
      ...(image.createBuildImage ? { create_build_image: true } : {}),
      stack_type: image.stackType,
      // Paketo's names: the base variant is "<os>-<codename>-run", the others add their type.
      pattern_image_registry_name: image.stackType === 'base' ? `${first}-build_image_run_image` : `${first}-build_image_run_image-stack_type`,
    })),
  };
  return JSON.stringify(document, null, 2) + '\n';
}
