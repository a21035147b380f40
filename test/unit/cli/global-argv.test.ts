import { describe, expect, it } from 'vitest';
import { normalizeGlobalArgv } from '../../../src/cli/global-argv.js';

describe('normalizeGlobalArgv', () => {
  it('moves skopeo global options before the command to after it (the IBM Cloud guide form)', () => {
    expect(
      normalizeGlobalArgv([
        '--registries.d',
        '.',
        '--insecure-policy',
        'copy',
        '--sign-by',
        'user@email.com',
        'docker-daemon:app:1',
        'docker://icr.io/ns/app:1',
      ]),
    ).toEqual([
      'copy',
      '--sign-by',
      'user@email.com',
      'docker-daemon:app:1',
      'docker://icr.io/ns/app:1',
      '--registries.d',
      '.',
      '--insecure-policy',
    ]);
  });

  it('accepts the --flag=value form and multi-word commands', () => {
    expect(
      normalizeGlobalArgv([
        '--policy=/p.json',
        '--insecure-policy=false',
        'signatures',
        'list',
        'dir:/x',
      ]),
    ).toEqual([
      'signatures',
      'list',
      'dir:/x',
      '--policy=/p.json',
      '--insecure-policy=false',
    ]);
  });

  it('keeps arguments after -- as they are', () => {
    expect(
      normalizeGlobalArgv(['--policy', 'p', 'copy', 'a', '--', '--b']),
    ).toEqual(['copy', 'a', '--policy', 'p', '--', '--b']);
  });

  it('drops --debug, which imgsign does not need', () => {
    expect(normalizeGlobalArgv(['--debug', 'copy', 'a', 'b'])).toEqual([
      'copy',
      'a',
      'b',
    ]);
  });

  it('leaves argv alone when it starts with the command, --help, --version or an unknown option', () => {
    for (const argv of [
      ['copy', '--policy', 'p', 'a', 'b'],
      ['--help'],
      ['--version'],
      ['--tmpdir', '/t', 'copy'],
      [],
    ]) {
      expect(normalizeGlobalArgv(argv)).toEqual(argv);
    }
  });

  it('stops at an option it does not know, moving only what came before', () => {
    expect(
      normalizeGlobalArgv(['--policy', 'p', '--tmpdir', '/t', 'copy']),
    ).toEqual(['--tmpdir', '/t', 'copy', '--policy', 'p']);
  });

  it('leaves a value-taking option without its value for oclif to report', () => {
    expect(normalizeGlobalArgv(['--policy'])).toEqual(['--policy']);
  });
});
