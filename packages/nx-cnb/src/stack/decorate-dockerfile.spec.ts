import { decorateDockerfile, quoted } from './decorate-dockerfile';

describe('decorateDockerfile', () => {
  it('writes env and labels as one ENV and one LABEL instruction, user last', () => {
    const { dockerfile, apiLabels } = decorateDockerfile(
      'sha256:abc',
      'decoration.tar',
      { CNB_USER_ID: '1001', CNB_STACK_ID: 'io.acme.stack' },
      { 'io.buildpacks.stack.id': 'io.acme.stack', 'io.buildpacks.rebasable': 'true' },
      '1001:1000',
    );
    expect(dockerfile.split('\n')).toEqual([
      'FROM sha256:abc',
      'ADD decoration.tar /',
      'ENV CNB_USER_ID="1001" CNB_STACK_ID="io.acme.stack"',
      'LABEL io.buildpacks.stack.id="io.acme.stack" io.buildpacks.rebasable="true"',
      'USER 1001:1000',
      '',
    ]);
    expect(apiLabels).toEqual({});
  });

  it('leaves out ENV and LABEL when there is nothing to set', () => {
    expect(decorateDockerfile('sha256:abc', 'l.tar', {}, {}, '1:1').dockerfile).toBe('FROM sha256:abc\nADD l.tar /\nUSER 1:1\n');
  });

  it('escapes what the Dockerfile parser would expand or end a word on', () => {
    expect(quoted('say "hi" to $HOME and ${USER} \\ back')).toBe('"say \\"hi\\" to \\$HOME and \\${USER} \\\\ back"');
    expect(quoted('[]')).toBe('"[]"');
  });

  it('passes labels a Dockerfile line cannot carry through the API instead', () => {
    const long = 'x'.repeat(5000);
    const { dockerfile, apiLabels } = decorateDockerfile(
      'sha256:abc',
      'l.tar',
      {},
      { 'io.buildpacks.stack.description': 'two\nlines', 'io.paketo.stack.packages': long, 'odd key=x': 'v', 'io.buildpacks.stack.id': 'a' },
      '1:1',
    );
    expect(apiLabels).toEqual({ 'io.buildpacks.stack.description': 'two\nlines', 'io.paketo.stack.packages': long, 'odd key=x': 'v' });
    expect(dockerfile).toContain('LABEL io.buildpacks.stack.id="a"\n');
  });

  it('refuses an env value no Dockerfile line can hold', () => {
    expect(() => decorateDockerfile('sha256:abc', 'l.tar', { PATH: 'a\nb' }, {}, '1:1')).toThrow(
      'env PATH: cannot be written as a Dockerfile ENV, found "a\\nb"',
    );
  });
});
