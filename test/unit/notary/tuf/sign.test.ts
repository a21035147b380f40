import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJSON } from '../../../../src/notary/tuf/canonical-json.js';
import {
  formatRFC3339,
  parseRFC3339,
} from '../../../../src/notary/tuf/metadata-fields.js';
import { parseTargets } from '../../../../src/notary/tuf/metadata.js';
import {
  bumpForResign,
  defaultExpiresString,
  defaultExpiry,
  signMetadata,
} from '../../../../src/notary/tuf/sign.js';
import { verifyRoleSignatures } from '../../../../src/notary/tuf/verify-role.js';
import {
  parseTufKey,
  tufKeyFromPublicKey,
} from '../../../../src/notary/tuf/keys.js';

const now = new Date('2026-11-22T12:34:56.789Z');

describe('signMetadata', () => {
  it('writes {"signed":<canonical>,"signatures":[{keyid,method,sig}]} that verifies', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const ed = generateKeyPairSync('ed25519').privateKey;
    const signed = {
      version: 1,
      _type: 'Targets',
      targets: {},
      delegations: { keys: {}, roles: [] },
      expires: defaultExpiresString('targets', now),
    };
    const bytes = signMetadata(signed, [ec, ed]);
    const text = bytes.toString();
    expect(
      text.startsWith(`{"signed":${canonicalJSON(signed).toString()},`),
    ).toBe(true);
    const outer = JSON.parse(text) as {
      signatures: { keyid: string; method: string; sig: string }[];
    };
    expect(Object.keys(outer.signatures[0]!)).toEqual([
      'keyid',
      'method',
      'sig',
    ]);
    expect(outer.signatures.map((s) => s.method)).toEqual(['ecdsa', 'eddsa']);
    const file = parseTargets(bytes, 'docker.io/a/b', 'targets');
    const keys = new Map(
      [ec, ed].map((k) => {
        const key = parseTufKey(tufKeyFromPublicKey(k), 'k');
        return [key.id, key];
      }),
    );
    expect(
      verifyRoleSignatures(file, { name: 'targets', keys, threshold: 2 }),
    ).toHaveLength(2);
  });

  it('refuses to sign without keys', () => {
    expect(() => signMetadata({ a: 1 }, [])).toThrow(/no keys/);
  });
});

describe('expiry and version helpers', () => {
  it('uses notary default expiries per role', () => {
    expect(defaultExpiry('root', now).toISOString()).toBe(
      '2036-11-22T12:34:56.789Z',
    );
    expect(defaultExpiry('targets', now).toISOString()).toBe(
      '2029-11-22T12:34:56.789Z',
    );
    expect(defaultExpiry('targets/releases', now).toISOString()).toBe(
      '2029-11-22T12:34:56.789Z',
    );
    expect(defaultExpiry('snapshot', now).toISOString()).toBe(
      '2029-11-22T12:34:56.789Z',
    );
    expect(defaultExpiry('timestamp', now).toISOString()).toBe(
      '2026-12-06T12:34:56.789Z',
    );
    // Go AddDate: Feb 29 + 3 years normalizes to Mar 1
    expect(
      defaultExpiry('targets', new Date('2028-02-29T00:00:00Z')).toISOString(),
    ).toBe('2031-03-01T00:00:00.000Z');
  });

  it('formats RFC3339Nano in UTC and parses it back', () => {
    expect(formatRFC3339(now)).toBe('2026-11-22T12:34:56.789Z');
    expect(formatRFC3339(new Date('2026-11-22T12:34:56.100Z'))).toBe(
      '2026-11-22T12:34:56.1Z',
    );
    expect(formatRFC3339(new Date('2026-11-22T12:34:56Z'))).toBe(
      '2026-11-22T12:34:56Z',
    );
    expect(parseRFC3339(formatRFC3339(now))?.getTime()).toBe(now.getTime());
    expect(parseRFC3339('2016-02-05T22:08:37+01:30')?.toISOString()).toBe(
      '2016-02-05T20:38:37.000Z',
    );
  });

  it('bumps the version and renews the expiry for a re-sign', () => {
    const next = bumpForResign(
      { _type: 'Targets', version: 4, expires: 'old' },
      'targets/releases',
      now,
    );
    expect(next).toEqual({
      _type: 'Targets',
      version: 5,
      expires: '2029-11-22T12:34:56.789Z',
    });
    expect(bumpForResign({}, 'timestamp', now).version).toBe(1);
  });
});
