import { describe, expect, it } from 'vitest';
import {
  parseNormalizedNamed,
  referenceString,
} from '../../../src/reference/docker-reference.js';
import {
  matchesSignedIdentity,
  remapReference,
} from '../../../src/policy/reference-match.js';
import type { SignedIdentity } from '../../../src/policy/types.js';

const D = `sha256:${'0123456789abcdef'.repeat(4)}`;
const D2 = `sha256:${'fedcba9876543210'.repeat(4)}`;

/** [intended image reference (undefined = none), signed value, expected]. */
type Row = [string | undefined, string, boolean];

function table(identity: SignedIdentity, rows: Row[]): void {
  it.each(rows)('intended %s, signed %s → %s', (intended, signed, expected) => {
    const ref =
      intended === undefined ? undefined : parseNormalizedNamed(intended);
    expect(matchesSignedIdentity(identity, ref, signed)).toBe(expected);
  });
}

describe('matchExact', () => {
  table({ type: 'matchExact' }, [
    ['busybox:latest', 'busybox:latest', true],
    ['busybox:latest', 'docker.io/library/busybox:latest', true],
    ['busybox:latest', 'busybox:notlatest', false],
    ['busybox:latest', 'busybox', false],
    ['busybox', 'busybox', false],
    [`busybox@${D}`, `busybox@${D}`, true],
    [`busybox@${D}`, `busybox@${D2}`, false],
    [`busybox@${D}`, 'busybox:latest', false],
    ['busybox:latest', 'other/busybox:latest', false],
    ['example.com/ns/app:1', 'example.com/ns/app:1', true],
    ['example.com/ns/app:1', 'example.com:443/ns/app:1', false],
    [undefined, 'busybox:latest', false],
    ['busybox:latest', 'UPPERCASEISINVALID', false],
    ['busybox:latest', '', false],
  ]);
});

describe('matchRepoDigestOrExact', () => {
  table({ type: 'matchRepoDigestOrExact' }, [
    ['busybox:latest', 'busybox:latest', true],
    ['busybox:latest', 'busybox:other', false],
    ['busybox:latest', `busybox@${D}`, false],
    ['busybox:latest', 'busybox', false],
    [`busybox@${D}`, 'busybox:latest', true],
    [`busybox@${D}`, `busybox@${D2}`, true],
    [`busybox@${D}`, 'busybox', false],
    [`busybox@${D}`, 'other:latest', false],
    [`busybox:latest@${D}`, `busybox:latest@${D}`, true],
    [`busybox:latest@${D}`, 'busybox:latest', false],
    ['busybox', 'busybox:latest', false],
    [undefined, 'busybox:latest', false],
  ]);
});

describe('matchRepository', () => {
  table({ type: 'matchRepository' }, [
    ['busybox:latest', 'busybox:latest', true],
    ['busybox:latest', 'busybox:other', true],
    ['busybox:latest', 'busybox', true],
    ['busybox:latest', `busybox@${D}`, true],
    ['busybox:latest', 'library/busybox:x', true],
    ['busybox:latest', 'example.com/busybox:latest', false],
    [`busybox@${D}`, 'busybox', true],
    [undefined, 'busybox', false],
    ['busybox:latest', 'Busybox', false],
  ]);
});

describe('exactReference', () => {
  const id: SignedIdentity = {
    type: 'exactReference',
    dockerReference: 'example.com/app:1',
  };
  table(id, [
    ['example.com/app:1', 'example.com/app:1', true],
    ['example.com/other:9', 'example.com/app:1', true],
    [undefined, 'example.com/app:1', true],
    [undefined, 'example.com/app:2', false],
    [undefined, 'example.com/app', false],
    [undefined, `example.com/app@${D}`, false],
  ]);
  it('never matches when the configured value is name-only', () => {
    expect(
      matchesSignedIdentity(
        { type: 'exactReference', dockerReference: 'example.com/app' },
        undefined,
        'example.com/app',
      ),
    ).toBe(false);
  });
});

describe('exactRepository', () => {
  table({ type: 'exactRepository', dockerRepository: 'example.com/app' }, [
    [undefined, 'example.com/app', true],
    [undefined, 'example.com/app:any', true],
    [undefined, `example.com/app@${D}`, true],
    ['busybox:latest', 'example.com/app:1', true],
    [undefined, 'example.com/app2:1', false],
    [undefined, 'example.com/ns/app:1', false],
  ]);
});

describe('remapIdentity', () => {
  table(
    {
      type: 'remapIdentity',
      prefix: 'private-mirror:5000/vendor-mirror',
      signedPrefix: 'vendor.example.com',
    },
    [
      [
        'private-mirror:5000/vendor-mirror/p/i:1',
        'vendor.example.com/p/i:1',
        true,
      ],
      [
        'private-mirror:5000/vendor-mirror/p/i:1',
        'vendor.example.com/p/i:2',
        false,
      ],
      [
        'private-mirror:5000/vendor-mirror/p/i:1',
        'private-mirror:5000/vendor-mirror/p/i:1',
        false,
      ],
      [
        `private-mirror:5000/vendor-mirror/i@${D}`,
        'vendor.example.com/i:any',
        true,
      ],
      // Not under the prefix (only at "/" boundaries): matchRepoDigestOrExact on the original.
      [
        'private-mirror:5000/vendor-mirrorx/i:1',
        'vendor.example.comx/i:1',
        false,
      ],
      [
        'private-mirror:5000/vendor-mirrorx/i:1',
        'private-mirror:5000/vendor-mirrorx/i:1',
        true,
      ],
      ['other.com/i:1', 'other.com/i:1', true],
      [undefined, 'vendor.example.com/p/i:1', false],
    ],
  );
  table(
    {
      type: 'remapIdentity',
      prefix: 'docker.io/library',
      signedPrefix: 'original.com',
    },
    [
      ['copied:latest', 'original.com/copied:latest', true],
      ['copied:latest', 'copied:latest', false],
      ['docker.io/other/copied:latest', 'docker.io/other/copied:latest', true],
    ],
  );

  it('gives no match when the rewritten reference is not canonical', () => {
    const intended = parseNormalizedNamed('example.com/ns/app:1');
    expect(
      remapReference(intended, 'example.com/ns', 'localhost:5000'),
    ).toEqual(parseNormalizedNamed('localhost:5000/app:1'));
    // "docker.io/app" is not canonical (it should be docker.io/library/app).
    expect(
      remapReference(intended, 'example.com/ns', 'docker.io'),
    ).toBeUndefined();
    expect(
      matchesSignedIdentity(
        {
          type: 'remapIdentity',
          prefix: 'example.com/ns',
          signedPrefix: 'docker.io',
        },
        intended,
        'docker.io/app:1',
      ),
    ).toBe(false);
  });

  it('replaces only the first occurrence of the prefix', () => {
    const r = remapReference(
      parseNormalizedNamed('a.com/a.com/x:1'),
      'a.com',
      'b.com',
    );
    expect(r && referenceString(r)).toBe('b.com/a.com/x:1');
  });
});
