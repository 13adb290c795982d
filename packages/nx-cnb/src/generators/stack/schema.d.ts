export type Variant = 'base' | 'tiny' | 'static';

export interface StackGeneratorSchema {
  name: string;
  directory?: string;
  variants?: string | Variant[];
  stackId?: string;
  distro?: 'debian-bookworm' | 'ubuntu-noble' | 'ubuntu-jammy';
  baseImage?: string;
  buildUid?: number;
  buildGid?: number;
  runUid?: number;
  runGid?: number;
  buildPackages?: string;
  runPackages?: string;
  platforms?: string;
  maintainer?: string;
  homepage?: string;
  displayName?: string;
  supportUrl?: string;
  bugReportUrl?: string;
}
