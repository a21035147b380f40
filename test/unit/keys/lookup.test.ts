import { describe, expect, it } from 'vitest';
import { findOneKey, matchKeys } from '../../../src/keys/lookup.js';
import { parseColonListing } from '../../../src/keys/gnupg.js';

const a = {
  fingerprint: 'A'.repeat(40),
  keyIds: ['A'.repeat(16), 'C'.repeat(16)],
  subkeyFingerprints: ['C'.repeat(40)],
  userIds: ['Alice Example <alice@example.com>'],
};
const b = {
  fingerprint: 'B'.repeat(40),
  keyIds: ['B'.repeat(16)],
  subkeyFingerprints: [],
  userIds: ['Bob Example <bob@example.com>', 'Bob Work <bob@work.example>'],
};
const keys = [a, b];

describe('matchKeys', () => {
  it.each([
    ['a primary fingerprint', 'a'.repeat(40), [a]],
    ['a fingerprint with spaces and 0x', `0x${'AAAA '.repeat(10)}`, [a]],
    ['a subkey fingerprint', 'C'.repeat(40), [a]],
    ['a long key ID', 'B'.repeat(16), [b]],
    ['a subkey ID', 'c'.repeat(16), [a]],
    ['an email', 'alice@example.com', [a]],
    ['an email in brackets, any case', '<BOB@WORK.EXAMPLE>', [b]],
    ['a full user ID', 'Bob Work <bob@work.example>', [b]],
    ['a part of a user ID', 'alice', [a]],
  ])('finds a key by %s', (_, query, expected) => {
    expect(matchKeys(keys, query)).toEqual(expected);
  });
  it('finds nothing for an unknown fingerprint', () => {
    expect(matchKeys(keys, 'D'.repeat(40))).toEqual([]);
  });
});

describe('findOneKey', () => {
  it('reports an ambiguous identity with its candidates', () => {
    expect(() => findOneKey(keys, 'Example', 'test keyring')).toThrow(
      expect.objectContaining({
        code: 'KEY_AMBIGUOUS',
        message: expect.stringMatching(
          /matches 2 keys in test keyring: A{40} \(Alice.*B{40} \(Bob/,
        ),
      }),
    );
  });
  it('returns undefined when nothing matches', () => {
    expect(findOneKey(keys, 'carol', 'k')).toBeUndefined();
  });
});

describe('parseColonListing', () => {
  it('reads primary fingerprints, subkeys and escaped user IDs', () => {
    const text = [
      'sec:u:255:22:9C0D3AA321AC5070:1795384751:::u:::scSC:::+:::23::0:',
      'fpr:::::::::DD2528B2F4CC94F5765B440E9C0D3AA321AC5070:',
      'grp:::::::::AAAA:',
      'uid:u::::1795384751::HASH::Test\\x3a Ed <ed@example.com>::::::::::0:',
      'ssb:u:255:18:74C2F121BD50A3E4:1795384751::::::e:::+:::23:',
      'fpr:::::::::1111111111111111111111111111111174C2F121BD50A3E4:',
    ].join('\n');
    expect(parseColonListing(text, true)).toEqual([
      {
        fingerprint: 'DD2528B2F4CC94F5765B440E9C0D3AA321AC5070',
        keyIds: ['9C0D3AA321AC5070', '74C2F121BD50A3E4'],
        subkeyFingerprints: [
          '1111111111111111111111111111111174C2F121BD50A3E4',
        ],
        userIds: ['Test: Ed <ed@example.com>'],
        secret: true,
      },
    ]);
  });
});
