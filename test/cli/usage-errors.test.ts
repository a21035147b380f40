import { describe, expect, it } from 'vitest';
import { parseErrorLine } from '../../src/cli/base-command.js';
import { runCli } from '../helpers/cli.js';

describe('usage errors are one line that points to --help', () => {
  it('names every missing argument', async () => {
    const r = await runCli(['standalone-verify', 'manifest.json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'imgsign: Missing 3 required args: docker-reference, key-fingerprints, signature; see `imgsign standalone-verify --help`\n',
    );
  });
  it('names an unknown flag of a topic command', async () => {
    const r = await runCli(['policy', 'show', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'imgsign: Nonexistent flag: --bogus; see `imgsign policy show --help`\n',
    );
  });
  it('keeps the first line of other multi-line parse errors', () => {
    expect(
      parseErrorLine(
        'Expected --format=bad to be one of: oci, v2s2\nSee more help with --help',
      ),
    ).toBe('Expected --format=bad to be one of: oci, v2s2');
    expect(parseErrorLine('Missing 1 required arg:\nmanifest  file\n')).toBe(
      'Missing 1 required arg: manifest',
    );
  });
});
