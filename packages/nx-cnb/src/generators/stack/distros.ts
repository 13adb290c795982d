/**
 * What the generator knows of each distro: its base image and the package
 * lists of each image. Every distro here is apt-based, so one set of
 * Dockerfiles serves them all.
 */
export interface Distro {
  osName: string;
  codename: string;
  /** VERSION_ID of its os-release, for builder [[targets.distros]]. */
  version: string;
  /** Image the Dockerfiles start FROM. */
  baseImage: string;
  packages: { build: string[]; base: string[]; tiny: string[]; static: string[] };
}

// Paketo's noble build image list in Debian's names (libssl3t64 is libssl3 before Debian's time_t transition),
// with zip and unzip, which buildpacks that unpack or repackage archives call.
const DEBIAN_BUILD = [
  'build-essential',
  'ca-certificates',
  'curl',
  'git',
  'jq',
  'libexpat1',
  'libgmp-dev',
  'libssl-dev',
  'libssl3',
  'libyaml-0-2',
  'netbase',
  'openssl',
  'pkg-config',
  'tzdata',
  'unzip',
  'xz-utils',
  'zip',
  'zlib1g-dev',
];

/**
 * Why a build or run image carries a package, written above the package
 * lists of a generated stack.toml (a TOML string cannot hold comments).
 */
export const PACKAGE_NOTES = {
  build: [
    "Paketo's noble build image list, in Debian's names:",
    'build-essential and pkg-config compile native extensions (gems, Python wheels, node-gyp);',
    'libssl-dev, zlib1g-dev and libgmp-dev are the headers they most often need (libgmp-dev: Ruby and Erlang);',
    'git, curl, jq, xz-utils, zip and unzip are what buildpacks and their scripts call;',
    'ca-certificates, netbase, openssl and tzdata match the run images, so what builds behaves the same at run time.',
  ],
  base: ['The libraries apps built on the build image load at run time (libssl, zlib, expat, yaml), with certificates and time zones.'],
  tiny: ['Unpacked without dependencies, so every library is listed: libc6, libgcc-s1 and libstdc++6 run C and C++ programs, as in Paketo tiny.'],
  static: ['For statically linked programs: no libraries, only certificates, time zones and /etc/services, as in Paketo static.'],
};

export const DISTROS: Record<string, Distro> = {
  'debian-bookworm': {
    osName: 'debian',
    codename: 'bookworm',
    version: '12',
    baseImage: 'debian:bookworm',
    packages: {
      build: DEBIAN_BUILD,
      base: ['ca-certificates', 'libexpat1', 'libssl3', 'libyaml-0-2', 'netbase', 'openssl', 'tzdata', 'unzip', 'zip', 'zlib1g'],
      tiny: ['base-files', 'ca-certificates', 'libc6', 'libgcc-s1', 'libssl3', 'libstdc++6', 'netbase', 'openssl', 'tzdata', 'zlib1g'],
      static: ['base-files', 'ca-certificates', 'netbase', 'tzdata'],
    },
  },
  'ubuntu-noble': {
    osName: 'ubuntu',
    codename: 'noble',
    version: '24.04',
    baseImage: 'ubuntu:noble',
    packages: {
      build: DEBIAN_BUILD.map((p) => (p === 'libssl3' ? 'libssl3t64' : p)),
      base: ['ca-certificates', 'libexpat1', 'libssl3t64', 'libyaml-0-2', 'netbase', 'openssl', 'tzdata', 'unzip', 'zip', 'zlib1g'],
      tiny: ['base-files', 'ca-certificates', 'libc6', 'libgcc-s1', 'libssl3t64', 'libstdc++6', 'netbase', 'openssl', 'tzdata', 'zlib1g'],
      static: ['base-files', 'ca-certificates', 'netbase', 'tzdata'],
    },
  },
  'ubuntu-jammy': {
    osName: 'ubuntu',
    codename: 'jammy',
    version: '22.04',
    baseImage: 'ubuntu:jammy',
    packages: {
      build: DEBIAN_BUILD,
      base: ['ca-certificates', 'libexpat1', 'libssl3', 'libyaml-0-2', 'netbase', 'openssl', 'tzdata', 'unzip', 'zip', 'zlib1g'],
      tiny: ['base-files', 'ca-certificates', 'libc6', 'libgcc-s1', 'libssl3', 'libstdc++6', 'netbase', 'openssl', 'tzdata', 'zlib1g'],
      static: ['base-files', 'ca-certificates', 'netbase', 'tzdata'],
    },
  },
};
