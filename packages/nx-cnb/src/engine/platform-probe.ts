/**
 * Whether an engine can run a platform is found out the way BuildKit finds
 * it: by running a program built for it. The programs are tiny static ELF
 * executables that only exit with status 0, written here byte by byte so no
 * compiler or registry is needed; they go into the engine as a one-file image.
 */
import { createHash } from 'node:crypto';
import type { TarEntry } from '../stack/image-contents';
import { parsePlatform } from '../oci/platform';

// The instructions of exit(0), per architecture, and the ELF machine number.
const PROGRAMS: Record<string, { machine: number; code: number[] }> = {
  // mov eax, 60 (exit); xor edi, edi; syscall
  amd64: { machine: 62, code: [0xb8, 0x3c, 0x00, 0x00, 0x00, 0x31, 0xff, 0x0f, 0x05] },
  // movz x0, #0; movz x8, #93 (exit); svc #0  (little-endian words)
  arm64: { machine: 183, code: [0x00, 0x00, 0x80, 0xd2, 0xa8, 0x0b, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4] },
};

const ELF_HEADER = 64;
const PROGRAM_HEADER = 56;
const LOAD_ADDRESS = 0x400000n;

/** A static ELF64 executable for the platform that exits 0, or undefined for a platform with no probe. */
export function probeExecutable(platform: string): Buffer | undefined {
  const program = PROGRAMS[parsePlatform(platform).architecture];
  if (!program) return undefined;
  const codeOffset = ELF_HEADER + PROGRAM_HEADER;
  const elf = Buffer.alloc(codeOffset + program.code.length);
  elf.write('\x7fELF', 0, 'latin1');
  elf[4] = 2; // 64-bit
  elf[5] = 1; // little endian
  elf[6] = 1; // ELF version
  elf.writeUInt16LE(2, 16); // an executable
  elf.writeUInt16LE(program.machine, 18);
  elf.writeUInt32LE(1, 20);
  elf.writeBigUInt64LE(LOAD_ADDRESS + BigInt(codeOffset), 24); // entry point
  elf.writeBigUInt64LE(BigInt(ELF_HEADER), 32); // program headers start
  elf.writeUInt16LE(ELF_HEADER, 52);
  elf.writeUInt16LE(PROGRAM_HEADER, 54);
  elf.writeUInt16LE(1, 56); // one program header
  // One loadable, readable and executable segment: the whole file.
  elf.writeUInt32LE(1, ELF_HEADER);
  elf.writeUInt32LE(5, ELF_HEADER + 4);
  elf.writeBigUInt64LE(LOAD_ADDRESS, ELF_HEADER + 16);
  elf.writeBigUInt64LE(LOAD_ADDRESS, ELF_HEADER + 24);
  elf.writeBigUInt64LE(BigInt(elf.length), ELF_HEADER + 32);
  elf.writeBigUInt64LE(BigInt(elf.length), ELF_HEADER + 40);
  elf.writeBigUInt64LE(0x1000n, ELF_HEADER + 48);
  Buffer.from(program.code).copy(elf, codeOffset);
  return elf;
}

/** The files of a `docker load` archive of a one-layer image, `layer` being the layer's tar, with the given config. */
export function loadArchive(reference: string, platform: string, layer: Buffer, config: Record<string, unknown>): TarEntry[] {
  const { os, architecture, variant } = parsePlatform(platform);
  const diffId = createHash('sha256').update(layer).digest('hex');
  const configJson = JSON.stringify({
    architecture,
    os,
    ...(variant ? { variant } : {}),
    config,
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
  });
  const configName = `${createHash('sha256').update(configJson).digest('hex')}.json`;
  return [
    { name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: [reference], Layers: [`${diffId}/layer.tar`] }]) },
    { name: configName, content: configJson },
    { name: `${diffId}/layer.tar`, content: layer },
  ];
}
