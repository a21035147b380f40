/**
 * SPEC §8 Notary: signatures that must not count — none at all, over
 * non-canonical bytes, by a key whose content hashes to another ID, DER or
 * wrong-length ECDSA, RSA < 2048 bits, unknown method, threshold 0 — each
 * rejected with its own message.
 */
import { constants, createHash, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJSON } from '../../src/notary/tuf/canonical-json.js';
import { parseTufKey } from '../../src/notary/tuf/keys.js';
import { verifySignature } from '../../src/notary/tuf/signatures.js';
import {
  buildRepo,
  ecKey,
  rsaKey,
  tamper,
  type RepoOptions,
} from '../helpers/notary-tuf/fake-repo.js';
import {
  trustFailure,
  updateFrom,
} from '../helpers/notary-tuf/memory-source.js';

const gun = 'docker.io/library/sig';
const now = new Date('2026-11-22T12:00:00Z');
const base = { gun, now, targets: { latest: Buffer.from('manifest') } };

async function failure(o: Partial<RepoOptions>) {
  const built = buildRepo({ ...base, ...o });
  return trustFailure(updateFrom(gun, built.files, { now }));
}

describe('when Notary signatures are missing or forged', () => {
  it('rejects a targets file with no signatures', async () => {
    const err = await failure({
      rewrite: { targets: (f) => tamper(f, (j) => (j.signatures = [])) },
    });
    expect(err.failure).toBe('signature');
    expect(err.message).toMatch(/targets\.json: has no signatures/);
  });

  it('rejects a signature over non-canonical bytes', async () => {
    const key = ecKey();
    const err = await failure({
      keys: { targets: key },
      rewrite: {
        targets: (f) =>
          tamper(f, (j) => {
            const pretty = Buffer.from(JSON.stringify(j.signed, null, 2));
            const sig = sign('sha256', pretty, {
              key: key.priv,
              dsaEncoding: 'ieee-p1363',
            });
            j.signatures = [
              { keyid: key.id, method: 'ecdsa', sig: sig.toString('base64') },
            ];
          }),
      },
    });
    expect(err.message).toMatch(
      /0 valid signature\(s\) by targets keys, threshold is 1 .*ecdsa signature does not verify/,
    );
  });

  it('rejects a signature by a key that is not the role key', async () => {
    const other = ecKey();
    const err = await failure({ signWith: { targets: [other.signing] } });
    expect(err.message).toMatch(/0 valid signature\(s\) by targets keys/);
  });

  it('rejects a keyid whose key content hashes to another ID', async () => {
    const key = ecKey();
    const fake = createHash('sha256').update('not the key').digest('hex');
    const err = await failure({
      keys: { targets: key },
      mutate: {
        root: (s) => {
          const keys = s.keys as Record<string, unknown>;
          keys[fake] = keys[key.id];
          delete keys[key.id];
          (s.roles as Record<string, { keyids: string[] }>).targets!.keyids = [
            fake,
          ];
        },
      },
      signWith: { targets: [{ privateKey: key.priv, keyID: fake }] },
    });
    expect(err.failure).toBe('signature');
    expect(err.message).toMatch(
      new RegExp(`key listed as ${fake} hashes to ID ${key.id}`),
    );
  });

  it('rejects a DER-encoded ECDSA signature', async () => {
    const key = ecKey();
    const err = await failure({
      keys: { targets: key },
      rewrite: {
        targets: (f) =>
          tamper(f, (j) => {
            const der = sign('sha256', canonicalJSON(j.signed), key.priv);
            j.signatures[0]!.sig = der.toString('base64');
          }),
      },
    });
    expect(err.message).toMatch(
      /ECDSA signature is 7\d bytes, not the 64-byte raw r\|\|s \(DER signatures are invalid\)/,
    );
  });

  it('rejects an ECDSA signature of the wrong length', async () => {
    const err = await failure({
      rewrite: {
        targets: (f) =>
          tamper(f, (j) => {
            const sig = Buffer.from(j.signatures[0]!.sig, 'base64');
            j.signatures[0]!.sig = sig.subarray(0, 63).toString('base64');
          }),
      },
    });
    expect(err.message).toMatch(/ECDSA signature is 63 bytes, not the 64-byte/);
  });

  it('rejects an unknown signature method', async () => {
    const err = await failure({
      rewrite: {
        targets: (f) =>
          tamper(f, (j) => (j.signatures[0]!.method = 'hmac-sha256')),
      },
    });
    expect(err.message).toMatch(/unsupported signature method "hmac-sha256"/);
  });

  it('rejects RSA keys under 2048 bits, for verifying and for signing', async () => {
    const weak = rsaKey(1024);
    const msg = Buffer.from('{}');
    const sig = sign('sha256', msg, {
      key: weak.priv,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const key = parseTufKey(weak.json, 'weak key');
    expect(key.problem).toBe('RSA key has 1024 bits, fewer than 2048');
    expect(() => verifySignature(key, 'rsapss', sig, msg)).toThrow(
      /RSA key has 1024 bits, fewer than 2048/,
    );
    // Signed the same way, a delegation with that key is ignored with a warning.
    const warnings: string[] = [];
    const built = buildRepo({
      ...base,
      delegations: [
        {
          name: 'targets/releases',
          keys: [weak],
          targets: { v1: Buffer.from('x') },
        },
      ],
      rewrite: {
        'targets/releases': (f) =>
          tamper(f, (j) => {
            const s = sign('sha256', canonicalJSON(j.signed), {
              key: weak.priv,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: 32,
            });
            j.signatures = [
              { keyid: weak.id, method: 'rsapss', sig: s.toString('base64') },
            ];
          }),
      },
      signWith: { 'targets/releases': [ecKey().signing] },
    });
    const repo = await updateFrom(gun, built.files, {
      now,
      warn: (m) => warnings.push(m),
    });
    expect(repo.verified.has('targets/releases')).toBe(false);
    expect(warnings.join('\n')).toMatch(
      /ignoring delegation targets\/releases: .*RSA key has 1024 bits/,
    );
  });

  it('rejects threshold 0 in root.json', async () => {
    const err = await failure({
      mutate: {
        root: (s) => {
          (
            s.roles as Record<string, { threshold: number }>
          ).targets!.threshold = 0;
        },
      },
    });
    expect(err.failure).toBe('format');
    expect(err.message).toMatch(
      /root\.json: "signed\.roles\.targets\.threshold" must be at least 1/,
    );
  });

  it('rejects a negative threshold in a delegation', async () => {
    const err = await failure({
      delegations: [
        { name: 'targets/releases', keys: [ecKey()], threshold: -1 },
      ],
    });
    expect(err.message).toMatch(
      /targets\.json: "signed\.delegations\.roles\[0\]\.threshold" must be at least 1/,
    );
  });
});
