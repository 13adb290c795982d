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

const DEBIAN_BUILD = [
  'build-essential',
  'ca-certificates',
  'curl',
  'git',
  'jq',
  'libssl-dev',
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

export const DISTROS: Record<string, Distro> = {
  'debian-bookworm': {
    osName: 'debian',
    codename: 'bookworm',
    version: '12',
    baseImage: 'debian:bookworm',
    packages: {
      build: DEBIAN_BUILD,
      base: ['ca-certificates', 'libexpat1', 'libssl3', 'libyaml-0-2', 'netbase', 'openssl', 'tzdata', 'unzip', 'zip', 'zlib1g'],
      tiny: ['base-files', 'ca-certificates', 'libc6', 'libssl3', 'netbase', 'openssl', 'tzdata', 'zlib1g'],
      static: ['base-files', 'ca-certificates', 'netbase', 'tzdata'],
    },
  },
  'ubuntu-noble': {
    osName: 'ubuntu',
    codename: 'noble',
    version: '24.04',
    baseImage: 'ubuntu:noble',
    packages: {
      build: [...DEBIAN_BUILD, 'libssl3t64'],
      base: ['ca-certificates', 'libexpat1', 'libssl3t64', 'libyaml-0-2', 'netbase', 'openssl', 'tzdata', 'unzip', 'zip', 'zlib1g'],
      tiny: ['base-files', 'ca-certificates', 'libc6', 'libssl3t64', 'netbase', 'openssl', 'tzdata', 'zlib1g'],
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
      tiny: ['base-files', 'ca-certificates', 'libc6', 'libssl3', 'netbase', 'openssl', 'tzdata', 'zlib1g'],
      static: ['base-files', 'ca-certificates', 'netbase', 'tzdata'],
    },
  },
};
