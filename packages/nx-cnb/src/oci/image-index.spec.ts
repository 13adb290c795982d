import { indexManifests, indexPlatforms, MEDIA_TYPES, renderIndex } from './image-index';

describe('OCI indexes', () => {
  const entries = [
    { mediaType: MEDIA_TYPES.dockerManifest, digest: 'sha256:a', size: 10, platform: 'linux/amd64' },
    { mediaType: MEDIA_TYPES.dockerManifest, digest: 'sha256:b', size: 11, platform: 'linux/arm64/v8' },
  ];

  it('reads back the platforms and digests of an index it wrote, in order', () => {
    const document = JSON.parse(renderIndex(entries).toString('utf8'));
    expect(indexManifests(document)).toEqual([
      { platform: 'linux/amd64', digest: 'sha256:a' },
      { platform: 'linux/arm64/v8', digest: 'sha256:b' },
    ]);
    expect(indexPlatforms(document)).toEqual(['linux/amd64', 'linux/arm64/v8']);
  });

  it('passes over entries without a platform (attestations, for one)', () => {
    expect(indexManifests({ manifests: [{ digest: 'sha256:x' }, { digest: 'sha256:a', platform: { os: 'linux', architecture: 'amd64' } }] })).toEqual([
      { platform: 'linux/amd64', digest: 'sha256:a' },
    ]);
  });
});
