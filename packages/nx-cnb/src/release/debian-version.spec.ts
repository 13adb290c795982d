import { compareDebianVersions } from './debian-version';

// Cases from dpkg's own test suite (lib/dpkg/t/t-version.c) and deb-version(7).
describe('compareDebianVersions', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '1.1', -1],
    ['1.10', '1.9', 1],
    ['1:1.0', '2.0', 1],
    ['0:1.0', '1.0', 0],
    ['1.0-1', '1.0-2', -1],
    ['1.0-1', '1.0', 1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0a', '1.0', 1],
    ['1.0a', '1.0+', -1],
    ['1.0.', '1.0a', 1],
    ['2.36-9+deb12u4', '2.36-9+deb12u7', -1],
    ['2.36-9+deb12u10', '2.36-9+deb12u9', 1],
    ['3.0.11-1~deb12u2', '3.0.11-1', -1],
    ['3.0.15-1~deb12u1', '3.0.11-1~deb12u2', 1],
    ['2024a-0+deb12u1', '2025b-0+deb12u1', -1],
    ['1.001', '1.1', 0],
    ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12', -1],
  ])('%s vs %s is %d', (a, b, expected) => {
    expect(compareDebianVersions(a, b)).toBe(expected);
    expect(compareDebianVersions(b, a)).toBe(-expected || 0);
  });
});
