import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requirementsFor } from '../../../src/policy/evaluate.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { signatureFixtures } from '../../helpers/paths.js';
import { dirRef, dockerRef } from './helpers.js';

const fixture = join(signatureFixtures, 'policy.json');
const policy = parsePolicy(readFileSync(fixture), fixture);

function scopeOf(ref: Parameters<typeof requirementsFor>[1]): string {
  const { scope } = requirementsFor(policy, ref);
  return scope === 'default' ? 'default' : `${scope.transport}:${scope.scope}`;
}

// Lookups listed in the fixtures README (scopes match only at "/" boundaries).
describe('scope lookup on the containers/image policy fixture', () => {
  it.each([
    ['example.com/production/x:1', 'docker:example.com/production'],
    ['example.com/productionx:1', 'docker:*.com'],
    ['foo.access.redhat.com/a:b', 'docker:*.access.redhat.com'],
    [
      'registry.access.redhat.com/rhel7:latest',
      'docker:registry.access.redhat.com',
    ],
    ['a.b.redhat.com/x:1', 'docker:*.redhat.com'],
    ['registry.redhat.io/beta/x:1', 'docker:registry.redhat.io/beta'],
    ['registry.redhat.io/betax:1', 'default'],
    ['docker.io/library/busybox:latest', 'default'],
    [
      'private-mirror:5000/vendor-mirror/p/i:1',
      'docker:private-mirror:5000/vendor-mirror',
    ],
    ['example.com:5000/playground/x:1', 'docker:*.com'],
    ['example.com/playground:latest', 'docker:example.com/playground'],
  ])('docker %s → %s', (name, expected) => {
    expect(scopeOf(dockerRef(name))).toBe(expected);
  });

  it('uses the transport default "" for any dir: path', () => {
    expect(scopeOf(dirRef('/some/where'))).toBe('dir:');
  });

  it('falls back to default for a transport without a section', () => {
    expect(scopeOf(dockerRef('example.com/production/x:1', 'atomic'))).toBe(
      'default',
    );
  });
});

describe('scope precedence', () => {
  const p = parsePolicy(
    JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        docker: {
          '': [{ type: 'insecureAcceptAnything' }],
          'example.com': [{ type: 'reject' }],
          'example.com/ns': [{ type: 'reject' }],
          'example.com/ns/repo': [{ type: 'reject' }],
          'example.com/ns/repo:tag': [{ type: 'reject' }],
          [`example.com/ns/repo@sha256:${'a'.repeat(64)}`]: [
            { type: 'reject' },
          ],
          '*.example.com': [{ type: 'reject' }],
          localhost: [{ type: 'reject' }],
        },
        dir: {
          '/a': [{ type: 'reject' }],
          '/a/b/c': [{ type: 'reject' }],
        },
      },
    }),
    'precedence.json',
  );
  const at = (ref: Parameters<typeof requirementsFor>[1]): string => {
    const { scope } = requirementsFor(p, ref);
    return scope === 'default' ? 'default' : scope.scope;
  };
  it.each([
    ['example.com/ns/repo:tag', 'example.com/ns/repo:tag'],
    ['example.com/ns/repo:other', 'example.com/ns/repo'],
    [
      `example.com/ns/repo@sha256:${'a'.repeat(64)}`,
      `example.com/ns/repo@sha256:${'a'.repeat(64)}`,
    ],
    [`example.com/ns/repo@sha256:${'b'.repeat(64)}`, 'example.com/ns/repo'],
    ['example.com/ns/other:1', 'example.com/ns'],
    ['example.com/nsx/other:1', 'example.com'],
    ['example.com:5000/ns/repo:tag', ''],
    ['a.example.com/x:1', '*.example.com'],
    ['a.b.example.com/x:1', '*.example.com'],
    ['localhost/x:1', 'localhost'],
    ['localhost:5000/x:1', ''],
    ['busybox', ''],
  ])('docker %s → %j', (name, expected) => {
    expect(at(dockerRef(name))).toBe(expected);
  });

  it.each([
    ['/a/b/c/d', '/a/b/c'],
    ['/a/b/c', '/a/b/c'],
    ['/a/b', '/a'],
    ['/ab', 'default'],
  ])('dir %s → %s', (path, expected) => {
    expect(at(dirRef(path))).toBe(expected);
  });
});
