import { withOsReleaseValues } from './image-contents';

const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
# a comment
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

describe('withOsReleaseValues', () => {
  it('replaces values in place and keeps every other line, comments included', () => {
    expect(withOsReleaseValues(DEBIAN, { PRETTY_NAME: 'Acme Bookworm', HOME_URL: 'https://acme.example' })).toBe(
      DEBIAN.replace('"Debian GNU/Linux 12 (bookworm)"', '"Acme Bookworm"').replace('"https://www.debian.org/"', '"https://acme.example"'),
    );
  });

  it('adds values the file lacks at its end', () => {
    expect(withOsReleaseValues('ID=debian', { SUPPORT_URL: 'https://acme.example/help' })).toBe('ID=debian\nSUPPORT_URL="https://acme.example/help"\n');
  });

  it('quotes as os-release(5) asks, so a value cannot expand or end its string', () => {
    expect(withOsReleaseValues('ID=debian\n', { PRETTY_NAME: 'say "hi" $HOME `id` \\' })).toBe('ID=debian\nPRETTY_NAME="say \\"hi\\" \\$HOME \\`id\\` \\\\"\n');
  });
});
