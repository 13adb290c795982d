import { builderCreateArgs } from './args';

describe('builderCreateArgs', () => {
  it('passes one --flatten per group, never through a shell', () => {
    expect(
      builderCreateArgs({
        reference: 'acme/builder:latest',
        config: '/w/builders/acme/builder.toml',
        flatten: ['samples/c-app@0.1.0,samples/gcc@0.1.0', 'x/y@1.0.0'],
        pullPolicy: 'never',
      }),
    ).toEqual([
      'builder',
      'create',
      'acme/builder:latest',
      '--config',
      '/w/builders/acme/builder.toml',
      '--pull-policy',
      'never',
      '--flatten',
      'samples/c-app@0.1.0,samples/gcc@0.1.0',
      '--flatten',
      'x/y@1.0.0',
    ]);
  });

  it('passes labels as name=value, one --label each', () => {
    const args = builderCreateArgs({ reference: 'a/b', config: 'c', flatten: [], pullPolicy: 'never', labels: { 'io.nx-cnb.builder.inputs': 'sha256:ab' } });
    expect(args.slice(-2)).toEqual(['--label', 'io.nx-cnb.builder.inputs=sha256:ab']);
  });

  it('keeps metacharacters as plain argument text', () => {
    const args = builderCreateArgs({ reference: 'a/b:$(rm -rf ~)', config: 'c;d', flatten: [], pullPolicy: 'if-not-present', publish: true });
    expect(args).toEqual(['builder', 'create', 'a/b:$(rm -rf ~)', '--config', 'c;d', '--pull-policy', 'if-not-present', '--publish']);
  });
});
