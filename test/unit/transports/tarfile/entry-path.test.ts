import { describe, expect, it } from 'vitest';
import {
  cleanEntryName,
  resolveHardlinkTarget,
  resolveSymlinkTarget,
} from '../../../../src/transports/internal/tarfile/entry-path.js';

describe('archive entry names', () => {
  it.each([
    ['manifest.json', 'manifest.json'],
    ['./manifest.json', 'manifest.json'],
    ['abc//layer.tar', 'abc/layer.tar'],
    ['dir/', 'dir'],
    ['a/./b', 'a/b'],
  ])('cleans %j to %j', (input, cleaned) => {
    expect(cleanEntryName('x.tar', input)).toBe(cleaned);
  });

  it.each([
    ['/etc/passwd', /absolute/],
    ['../evil', /"\.\."/],
    ['a/../../evil', /"\.\."/],
    ['a/../b', /"\.\."/],
    ['.', /empty/],
    ['', /empty/],
    ['a\0b', /NUL/],
  ])('rejects %j', (input, message) => {
    expect(() => cleanEntryName('x.tar', input)).toThrow(message);
    try {
      cleanEntryName('x.tar', input);
    } catch (err) {
      expect(err).toMatchObject({ code: 'UNSAFE_PATH' });
    }
  });

  it('resolves symlinks relative to their directory, inside the archive only', () => {
    expect(resolveSymlinkTarget('x.tar', 'id/layer.tar', '../abc.tar')).toBe(
      'abc.tar',
    );
    expect(resolveSymlinkTarget('x.tar', 'a/b/l', 'c')).toBe('a/b/c');
    expect(() =>
      resolveSymlinkTarget('x.tar', 'id/layer.tar', '../../x'),
    ).toThrow(/escapes the archive/);
    expect(() => resolveSymlinkTarget('x.tar', 'l', '/etc/passwd')).toThrow(
      /absolute/,
    );
    expect(() => resolveSymlinkTarget('x.tar', 'a/l', '..')).toThrow(
      /escapes the archive/,
    );
  });

  it('resolves hard links from the archive root', () => {
    expect(resolveHardlinkTarget('x.tar', 'b', './a/f')).toBe('a/f');
    expect(() => resolveHardlinkTarget('x.tar', 'b', '../f')).toThrow(
      /hard link "b" -> "\.\.\/f" escapes/,
    );
  });
});
