import {
  imageReferenceProblem,
  imageReferences,
  isNameComponent,
  isRepository,
  isTag,
  normalizeImageRef,
  parseImageReference,
  registryHost,
  splitTag,
  withDigest,
  withTag,
} from './image-reference';

describe('parseImageReference', () => {
  it.each([
    ['ubuntu', { registry: 'docker.io', explicitRegistry: false, path: 'ubuntu' }],
    ['acme/run:1.2', { registry: 'docker.io', explicitRegistry: false, path: 'acme/run', tag: '1.2' }],
    ['127.0.0.1:5000/acme/run:latest', { registry: '127.0.0.1:5000', explicitRegistry: true, path: 'acme/run', tag: 'latest' }],
    ['localhost/x', { registry: 'localhost', explicitRegistry: true, path: 'x' }],
    ['docker.io/library/ubuntu:noble', { registry: 'docker.io', explicitRegistry: true, path: 'library/ubuntu', tag: 'noble' }],
    [`ghcr.io/a/b@sha256:${'a'.repeat(64)}`, { registry: 'ghcr.io', explicitRegistry: true, path: 'a/b', digest: `sha256:${'a'.repeat(64)}` }],
    ['a__b/c--d', { registry: 'docker.io', explicitRegistry: false, path: 'a__b/c--d' }],
  ])('reads %s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
  });

  it.each(['Acme/run', 'acme/run:', 'acme/run:$(reboot)', 'acme//run', '-acme/run', 'acme/run@sha256:short', 'ACME', 'a b', ''])('refuses %j', (text) => {
    expect(parseImageReference(text)).toBeUndefined();
    expect(imageReferenceProblem(text)).toMatch(/^an image reference such as/);
  });
});

describe('normalizeImageRef', () => {
  it.each([
    ['ubuntu', 'ubuntu:latest'],
    ['docker.io/library/ubuntu', 'ubuntu:latest'],
    ['index.docker.io/acme/run:1', 'acme/run:1'],
    ['127.0.0.1:5000/acme/run', '127.0.0.1:5000/acme/run:latest'],
    [`a/b@sha256:${'0'.repeat(64)}`, `a/b@sha256:${'0'.repeat(64)}`],
    ['  acme/run:2 ', 'acme/run:2'],
  ])('%s -> %s', (ref, normal) => {
    expect(normalizeImageRef(ref)).toBe(normal);
  });
});

describe('tags and hosts', () => {
  it('splits a tag but not a registry port', () => {
    expect(splitTag('host:5000/a/b:v1')).toEqual(['host:5000/a/b', 'v1']);
    expect(splitTag('host:5000/a/b')).toEqual(['host:5000/a/b', 'latest']);
    expect(withTag('host:5000/a/b:v1', '2.0')).toBe('host:5000/a/b:2.0');
  });

  it('names the same repository at a digest, in place of a tag or another digest', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    expect(withDigest('host:5000/a/b:v1', digest)).toBe(`host:5000/a/b@${digest}`);
    expect(withDigest('host:5000/a/b', digest)).toBe(`host:5000/a/b@${digest}`);
    expect(withDigest(`host:5000/a/b@sha256:${'d'.repeat(64)}`, digest)).toBe(`host:5000/a/b@${digest}`);
  });

  it.each([
    ['127.0.0.1:5000/acme/run:1.0', '127.0.0.1:5000'],
    ['ghcr.io/acme/run', 'ghcr.io'],
    ['localhost/acme/run', 'localhost'],
    ['acme/run:1', 'docker.io'],
    ['run', 'docker.io'],
  ])('finds the registry host of %s as the docker CLI does: %s', (ref, host) => expect(registryHost(ref)).toBe(host));

  it('names an image under a repository with each tag', () => {
    expect(imageReferences('run', '127.0.0.1:5000/acme/', ['1.0', 'latest'])).toEqual(['127.0.0.1:5000/acme/run:1.0', '127.0.0.1:5000/acme/run:latest']);
    expect(imageReferences('run', undefined)).toEqual(['run:latest']);
  });

  it('validates tags, repositories and name parts', () => {
    expect(isTag('1.2.3-rc_1')).toBe(true);
    expect(isTag('$(reboot)')).toBe(false);
    expect(isTag('.hidden')).toBe(false);
    expect(isRepository('127.0.0.1:5000/acme')).toBe(true);
    expect(isRepository('ghcr.io/acme/stacks')).toBe(true);
    expect(isRepository('Registry.example.com/ACME')).toBe(false);
    expect(isRepository('acme/x; rm -rf /')).toBe(false);
    expect(isRepository('acme:1')).toBe(false);
    expect(isNameComponent('debian-bookworm')).toBe(true);
    expect(isNameComponent('Debian')).toBe(false);
    expect(isNameComponent(3)).toBe(false);
  });
});
