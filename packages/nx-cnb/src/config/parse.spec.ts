import { parseJson, parseToml } from './parse';

describe('parseToml and parseJson', () => {
  it('read files saved on Windows: CRLF line ends, comments before them, a UTF-8 byte order mark', () => {
    const toml = '\ufeff# a stack\r\nid = "io.buildpacks.stacks.x" # the id\r\n[build]\r\n  uid = 1001\r\n';
    expect(parseToml('stack.toml', toml)).toEqual({ id: 'io.buildpacks.stacks.x', build: { uid: 1001 } });
    expect(parseJson('images.json', '\ufeff{\r\n  "images": []\r\n}\r\n')).toEqual({ images: [] });
  });

  it('keep line numbers of CRLF files in syntax errors', () => {
    expect(() => parseToml('stack.toml', 'a = 1\r\nb = \r\n')).toThrow('stack.toml: (syntax at line 2, column 5): expected valid TOML');
    expect(() => parseJson('images.json', '{\r\n  "a": 1,\r\n}')).toThrow('images.json: (syntax at line 3, column 1): expected valid JSON');
  });

  it('still refuse what TOML forbids: a lone CR as a line end', () => {
    expect(() => parseToml('stack.toml', 'a = 1\rb = 2\r')).toThrow('stack.toml: (syntax at line 1, column 8): expected valid TOML');
  });
});
