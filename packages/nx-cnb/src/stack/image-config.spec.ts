import { labelMismatches } from './image-config';

describe('labelMismatches', () => {
  it('names each label the image does not carry as asked', () => {
    expect(labelMismatches({ a: '1', b: '$HOME', c: 'x' }, { a: '1', b: '/root' })).toEqual([
      'label b must be "$HOME", found "/root"',
      'label c must be "x", found none',
    ]);
    expect(labelMismatches({ a: '1' }, null)).toEqual(['label a must be "1", found none']);
  });
});
