import { credentialSource, redact } from './credentials';

describe('credentialSource', () => {
  const auth = Buffer.from('ci-user:s3cr3t:with:colons').toString('base64');
  it('decodes auths entries, keeping colons in the password', () => {
    expect(credentialSource(JSON.stringify({ auths: { '127.0.0.1:5000': { auth } } }), '127.0.0.1:5000')).toEqual({
      kind: 'basic',
      username: 'ci-user',
      password: 's3cr3t:with:colons',
    });
  });
  it('prefers a per-host helper, then falls back to credsStore', () => {
    const config = JSON.stringify({ credHelpers: { 'ghcr.io': 'gh' }, credsStore: 'pass' });
    expect(credentialSource(config, 'ghcr.io')).toEqual({ kind: 'helper', helper: 'gh' });
    expect(credentialSource(config, 'quay.io')).toEqual({ kind: 'helper', helper: 'pass' });
  });
  it('finds Docker Hub under its legacy key', () => {
    expect(credentialSource(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth } } }), 'docker.io')).toMatchObject({ username: 'ci-user' });
  });
  it('is anonymous for an unknown host', () => {
    expect(credentialSource(JSON.stringify({ auths: { other: { auth } } }), 'ghcr.io')).toBeUndefined();
  });
});

describe('redact', () => {
  it('removes the password and the encoded pair from messages', () => {
    const auth = { username: 'u', password: 'hunter2', serveraddress: 'h' };
    expect(redact(`denied for u:hunter2 (${Buffer.from('u:hunter2').toString('base64')})`, auth)).toBe('denied for u:*** (***)');
  });
});
