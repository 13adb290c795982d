import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadArchive, probeExecutable } from './platform-probe';

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

describe('probeExecutable', () => {
  it.each([
    ['linux/amd64', 62],
    ['linux/arm64', 183],
    ['linux/arm64/v8', 183],
  ])('writes a static ELF for %s with machine %d', (platform, machine) => {
    const elf = probeExecutable(platform)!;
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(18)).toBe(machine);
    expect(Number(elf.readBigUInt64LE(24))).toBe(0x400000 + 120);
  });

  it('has no probe for a platform it cannot write one for', () => {
    expect(probeExecutable('linux/s390x')).toBeUndefined();
  });

  it('runs and exits 0 on this machine, for this machine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-cnb-probe-'));
    try {
      const file = join(dir, 'probe');
      writeFileSync(file, probeExecutable(`linux/${NODE_ARCH[process.arch]}`)!);
      chmodSync(file, 0o755);
      expect(spawnSync(file).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadArchive', () => {
  it('names the layer by its digest and states the platform in the config', () => {
    const entries = loadArchive('nx-cnb-probe:linux-arm64', 'linux/arm64/v8', Buffer.from('layer'), { Entrypoint: ['/probe'] });
    const manifest = JSON.parse(String(entries[0].content));
    const config = JSON.parse(String(entries.find((e) => e.name === manifest[0].Config)!.content));
    expect(manifest[0]).toMatchObject({ RepoTags: ['nx-cnb-probe:linux-arm64'], Layers: [expect.stringMatching(/^[0-9a-f]{64}\/layer\.tar$/)] });
    expect(config).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8', config: { Entrypoint: ['/probe'] } });
    expect(config.rootfs.diff_ids).toEqual([`sha256:${manifest[0].Layers[0].split('/')[0]}`]);
  });
});
