import { describe, expect, it } from 'vitest';
import {
  parseNamed,
  parseNormalizedNamed,
  policyConfigurationNamespaces,
  referenceName,
  referenceString,
} from '../../../src/reference/docker-reference.js';

describe('parseNormalizedNamed', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    ['index.docker.io/foo/bar:1', 'docker.io/foo/bar:1'],
    ['localhost/x', 'localhost/x'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag'],
    [
      'example.com/ns/repo@sha256:' + 'a'.repeat(64),
      'example.com/ns/repo@sha256:' + 'a'.repeat(64),
    ],
    [
      'example.com/r:t@sha256:' + 'b'.repeat(64),
      'example.com/r:t@sha256:' + 'b'.repeat(64),
    ],
  ])('normalises %s to %s', (input, expected) => {
    expect(referenceString(parseNormalizedNamed(input))).toBe(expected);
  });

  it.each([
    ['UPPERCASEISINVALID', /must be lowercase/],
    ['a'.repeat(64), /image ID/],
    ['example.com/r@sha256:abc', /grammar/],
    ['example.com/r@sha256:' + 'A'.repeat(64), /invalid digest/],
    ['example.com/r@md5:' + 'a'.repeat(32), /invalid digest/],
    ['example.com:port/r', /grammar/],
    ['', /grammar/],
  ])('rejects %s', (input, message) => {
    expect(() => parseNormalizedNamed(input)).toThrow(message);
  });
});

describe('parseNamed', () => {
  it('accepts only the canonical form', () => {
    expect(referenceName(parseNamed('docker.io/library/busybox'))).toBe(
      'docker.io/library/busybox',
    );
    expect(() => parseNamed('busybox')).toThrow(/canonical/);
  });
});

describe('policyConfigurationNamespaces', () => {
  it('lists repository, parents, host and wildcards of the port-less host', () => {
    expect(
      policyConfigurationNamespaces(
        parseNormalizedNamed('a.b.example.com:5000/ns/repo:1'),
      ),
    ).toEqual([
      'a.b.example.com:5000/ns/repo',
      'a.b.example.com:5000/ns',
      'a.b.example.com:5000',
      '*.b.example.com',
      '*.example.com',
      '*.com',
    ]);
    expect(
      policyConfigurationNamespaces(parseNormalizedNamed('busybox')),
    ).toEqual([
      'docker.io/library/busybox',
      'docker.io/library',
      'docker.io',
      '*.io',
    ]);
  });
});
