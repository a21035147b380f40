import { describe, expect, it } from 'vitest';
import {
  isStale,
  routeArgv,
  type BundleIndex,
  type BundledCommand,
} from '../../../src/cli/dispatch.js';

const command = (hasArgs: boolean): BundledCommand => ({
  file: 'x.js',
  hasArgs,
  inputs: ['dist/a.js', 'dist/b.js'],
});

const index: BundleIndex = {
  version: 1,
  builtAt: 1000,
  commands: {
    copy: command(true),
    'key:list': command(false),
    'key:generate': command(false),
    'policy:show': command(false),
    'policy:set': command(true),
  },
};

describe('routeArgv', () => {
  it('routes a top-level command with its arguments and flags', () => {
    expect(routeArgv(['copy', 'dir:a', 'dir:b', '--json'], index)).toEqual({
      id: 'copy',
      command: index.commands['copy'],
      argv: ['dir:a', 'dir:b', '--json'],
    });
  });

  it('collates a command under a topic from space-separated words', () => {
    expect(routeArgv(['key', 'list', '--json'], index)).toMatchObject({
      id: 'key:list',
      argv: ['--json'],
    });
  });

  it('accepts the colon form of a command id', () => {
    expect(routeArgv(['key:list'], index)).toMatchObject({
      id: 'key:list',
      argv: [],
    });
  });

  it('stops collating at the arguments of a command that takes them', () => {
    // "policy set key" is the policy:set command with the argument "key".
    expect(routeArgv(['policy', 'set', 'key'], index)).toMatchObject({
      id: 'policy:set',
      argv: ['key'],
    });
  });

  it('leaves a word after a command without arguments to oclif (it names no command)', () => {
    expect(routeArgv(['key', 'list', 'extra'], index)).toBeUndefined();
  });

  it('leaves help, topics, unknown commands and an empty argv to oclif', () => {
    expect(routeArgv([], index)).toBeUndefined();
    expect(routeArgv(['key'], index)).toBeUndefined();
    expect(routeArgv(['help', 'copy'], index)).toBeUndefined();
    expect(routeArgv(['copy', '--help'], index)).toBeUndefined();
    expect(routeArgv(['nonsense', 'x'], index)).toBeUndefined();
    expect(routeArgv(['--json'], index)).toBeUndefined();
    expect(routeArgv(['hasOwnProperty'], index)).toBeUndefined();
  });

  it('treats --help after -- as an argument', () => {
    expect(routeArgv(['copy', 'a', '--', '--help'], index)).toMatchObject({
      id: 'copy',
      argv: ['a', '--', '--help'],
    });
  });
});

describe('isStale', () => {
  const c = command(true);
  it('is fresh when every input is older than the bundle', () => {
    expect(isStale(c, 1000, () => 999)).toBe(false);
  });
  it('is stale when an input was rebuilt after the bundle', () => {
    expect(isStale(c, 1000, (p) => (p === 'dist/b.js' ? 1001 : 10))).toBe(true);
  });
  it('is stale when an input is gone', () => {
    expect(isStale(c, 1000, (p) => (p === 'dist/a.js' ? undefined : 10))).toBe(
      true,
    );
  });
});
