import { FakeEngine } from '../../testing/fake-engine';
import { fakeIo } from '../../testing/fake-io';
import { reportConfigError } from './config-error';

describe('reportConfigError', () => {
  it('fails with the message inference stored, without asking for an engine', async () => {
    const message = 'stacks/a/stack.toml: build.uid: expected the cnb user id, a whole number above 0, found nothing';
    await expect(reportConfigError({ message }, fakeIo('/nowhere', new FakeEngine()))).rejects.toThrow(message);
  });
});
