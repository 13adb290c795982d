import { manifestUrl } from './registry-client';

describe('manifestUrl', () => {
  it.each([
    ['127.0.0.1:5000/acme/run:1.0', 'http://127.0.0.1:5000/v2/acme/run/manifests/1.0'],
    ['localhost:5000/run', 'http://localhost:5000/v2/run/manifests/latest'],
    ['ghcr.io/acme/run@sha256:' + 'a'.repeat(64), `https://ghcr.io/v2/acme/run/manifests/sha256:${'a'.repeat(64)}`],
    ['ubuntu:noble', 'https://registry-1.docker.io/v2/library/ubuntu/manifests/noble'],
    ['paketobuildpacks/run:latest', 'https://registry-1.docker.io/v2/paketobuildpacks/run/manifests/latest'],
  ])('finds %s at %s (plain HTTP only on loopback, as Docker does)', (reference, url) => {
    expect(manifestUrl(reference).url).toBe(url);
  });
});
