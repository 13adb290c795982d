const OSES = ['linux', 'windows'];
const ARCHES = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le', 'loong64'];

/** The reason a platform string such as "linux/arm64/v8" is invalid, or undefined if it is valid. */
export function platformProblem(platform: string): string | undefined {
  const parts = platform.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return 'the form os/arch or os/arch/variant';
  const [os, arch, variant] = parts;
  if (!OSES.includes(os)) return `an os of ${OSES.join(', ')}`;
  if (!ARCHES.includes(arch)) return `an architecture of ${ARCHES.join(', ')}`;
  if (variant !== undefined && !/^v[0-9]+$/.test(variant)) return 'a variant such as v7 or v8';
  return undefined;
}
