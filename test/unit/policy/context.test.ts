import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InconclusiveError,
  PolicyRequirementError,
} from '../../../src/errors.js';
import { PolicyContext } from '../../../src/policy/context.js';
import type {
  Policy,
  PolicyRequirement,
  SignedIdentity,
} from '../../../src/policy/types.js';
import { staticImage } from '../../../src/policy/unparsed-image.js';
import { signatureFixtures as F } from '../../helpers/paths.js';
import { dirRef, dockerRef, fixtureImage } from './helpers.js';

const M_DIGEST =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';

function policyOf(...reqs: PolicyRequirement[]): Policy {
  return { default: reqs, transports: new Map() };
}

function signedBy(
  keys: { keyPath?: string; keyPaths?: string[]; keyData?: Buffer },
  signedIdentity: SignedIdentity = { type: 'matchExact' },
): PolicyRequirement {
  return { type: 'signedBy', keyType: 'GPGKeys', ...keys, signedIdentity };
}

const k1 = signedBy({ keyPath: join(F, 'public-key.gpg') });
/** `ref` null: an image with no docker reference. */
const image = (name: string, ref: string | null = 'testing/manifest:latest') =>
  fixtureImage(join(F, name), ref ?? undefined);

// Expected verdicts from the fixtures README (c/image policy_eval_signedby_test.go).
describe('signedBy on the dir-img-* fixtures (keyPath public-key.gpg, matchExact)', () => {
  const ctx = new PolicyContext(policyOf(k1));

  it('dir-img-valid is allowed, with its one signature accepted', async () => {
    const img = await image('dir-img-valid');
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(true);
    expect(ev.results[0]?.signatures?.[0]).toMatchObject({
      index: 1,
      accepted: true,
      keyIdentity: K1,
      dockerReference: 'testing/manifest:latest',
      dockerManifestDigest: M_DIGEST,
    });
    expect(await ctx.acceptedSignatures(img)).toEqual([
      expect.objectContaining({
        index: 1,
        dockerManifestDigest: M_DIGEST,
        dockerReference: 'testing/manifest:latest',
        keyIdentity: K1,
        creator: 'atomic 0.1.13-dev',
        timestamp: 1464398954,
      }),
    ]);
  });

  it('dir-img-valid under another tag is rejected for its identity', async () => {
    const img = await image('dir-img-valid', 'testing/manifest:notlatest');
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toBe(
      'signature 1: identity "testing/manifest:latest" is not accepted for "docker.io/testing/manifest:notlatest" under matchExact',
    );
    expect(await ctx.acceptedSignatures(img)).toEqual([]);
  });

  it('dir-img-valid-2 is allowed and both signatures are accepted', async () => {
    const img = await image('dir-img-valid-2');
    expect((await ctx.evaluate(img)).allowed).toBe(true);
    const sigs = await ctx.acceptedSignatures(img);
    expect(sigs.map((s) => [s.index, s.timestamp])).toEqual([
      [1, 1464398954],
      [2, 1464640051],
    ]);
  });

  it('dir-img-valid-2 under another tag rejects both', async () => {
    const img = await image('dir-img-valid-2', 'testing/manifest:notlatest');
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toMatch(
      /^None of the signatures were accepted, reasons: signature 1: identity .*; signature 2: identity /,
    );
    expect(await ctx.acceptedSignatures(img)).toEqual([]);
  });

  it('dir-img-mixed is allowed; only signature 2 is accepted', async () => {
    const img = await image('dir-img-mixed');
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(true);
    expect(ev.results[0]?.signatures?.map((s) => s.accepted)).toEqual([
      false,
      true,
    ]);
    expect((await ctx.acceptedSignatures(img)).map((s) => s.index)).toEqual([
      2,
    ]);
  });

  it('dir-img-unsigned is rejected: no signature, naming where it looked', async () => {
    const ev = await ctx.evaluate(await image('dir-img-unsigned'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toBe(
      `A signature was required, but no signature exists (looked in ${join(F, 'dir-img-unsigned')})`,
    );
  });

  it('dir-img-modified-manifest is rejected for the digest', async () => {
    const ev = await ctx.evaluate(await image('dir-img-modified-manifest'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toMatch(
      new RegExp(
        `^signature 1: digest mismatch: signature is for manifest digest ${M_DIGEST}, but the manifest of dir:.*dir-img-modified-manifest has digest sha256:2edc21ff`,
      ),
    );
  });

  it('dir-img-manifest-digest-error is rejected: the digest cannot be computed', async () => {
    const ev = await ctx.evaluate(await image('dir-img-manifest-digest-error'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain('cannot be computed');
  });

  it('dir-img-no-manifest is rejected: the manifest cannot be read', async () => {
    const ev = await ctx.evaluate(await image('dir-img-no-manifest'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toMatch(/^signature 1: ENOENT/);
  });

  it('dir-img-valid-subkey is allowed with the subkey keyring, attributed to the primary', async () => {
    const sub = new PolicyContext(
      policyOf(signedBy({ keyPath: join(F, 'public-key-with-subkey.gpg') })),
    );
    const ev = await sub.evaluate(await image('dir-img-valid-subkey'));
    expect(ev.allowed).toBe(true);
    expect(ev.results[0]?.signatures?.[0]?.keyIdentity).toBe(
      'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36',
    );
  });
});

describe('signedBy key sources', () => {
  const pk = (n: string) => join(F, n);
  it.each([
    [
      'keyPaths [public-key-1, public-key-1]',
      { keyPaths: [pk('public-key-1.gpg'), pk('public-key-1.gpg')] },
    ],
    [
      'keyPaths [public-key-2, public-key-1]',
      { keyPaths: [pk('public-key-2.gpg'), pk('public-key-1.gpg')] },
    ],
    [
      'keyData = public-key.gpg',
      { keyData: readFileSync(pk('public-key.gpg')) },
    ],
  ])('%s accepts dir-img-valid', async (_n, keys) => {
    const ctx = new PolicyContext(policyOf(signedBy(keys)));
    expect((await ctx.evaluate(await image('dir-img-valid'))).allowed).toBe(
      true,
    );
  });

  it('empty keyData rejects: No public keys imported', async () => {
    const ctx = new PolicyContext(
      policyOf(signedBy({ keyData: Buffer.alloc(0) })),
    );
    const ev = await ctx.evaluate(await image('dir-img-valid'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toBe(
      'signature 1: No public keys imported (keyData contains no keys)',
    );
  });

  it('empty keyPaths rejects: No public keys imported', async () => {
    const ctx = new PolicyContext(policyOf(signedBy({ keyPaths: [] })));
    const ev = await ctx.evaluate(await image('dir-img-valid'));
    expect(ev.results[0]?.reason).toContain('No public keys imported');
  });

  it('keyData that is not a keyring rejects', async () => {
    const ctx = new PolicyContext(
      policyOf(signedBy({ keyData: Buffer.from('nonsense') })),
    );
    const ev = await ctx.evaluate(await image('dir-img-valid'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toMatch(
      /^signature 1: invalid OpenPGP keyring/,
    );
  });

  it('an unreadable key file rejects (never accepts), naming the file', async () => {
    const missing = join(F, 'no-such-keyring.gpg');
    const ctx = new PolicyContext(policyOf(signedBy({ keyPath: missing })));
    const ev = await ctx.evaluate(await image('dir-img-valid'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toBe(
      `signature 1: cannot read key file ${missing}: no such file`,
    );
    const dir = new PolicyContext(policyOf(signedBy({ keyPath: F })));
    expect(
      (await dir.evaluate(await image('dir-img-valid'))).results[0]?.reason,
    ).toBe(`signature 1: cannot read key file ${F}: it is a directory`);
  });

  it('a key that did not sign is named by its key ID', async () => {
    const ctx = new PolicyContext(
      policyOf(signedBy({ keyPath: join(F, 'public-key-2.gpg') })),
    );
    const ev = await ctx.evaluate(await image('dir-img-valid'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain('E932F44B23E8DD43');
    expect(ev.results[0]?.reason).toContain('not a trusted key');
  });

  it.each(['signedByGPGKeys', 'X509Certificates', 'signedByX509CAs'] as const)(
    'keyType %s parses but rejects',
    async (keyType) => {
      const ctx = new PolicyContext(
        policyOf({
          ...signedBy({ keyPath: join(F, 'public-key.gpg') }),
          keyType,
        } as PolicyRequirement),
      );
      const ev = await ctx.evaluate(await image('dir-img-valid'));
      expect(ev.allowed).toBe(false);
      expect(ev.results[0]?.reason).toBe(
        `signature 1: keyType "${keyType}" is not implemented (only GPGKeys is)`,
      );
    },
  );
});

describe('signedIdentity on a dir: image', () => {
  it('exactReference of another reference rejects', async () => {
    const ctx = new PolicyContext(
      policyOf(
        signedBy(
          { keyPath: join(F, 'public-key.gpg') },
          { type: 'exactReference', dockerReference: 'this/does-not:match' },
        ),
      ),
    );
    const ev = await ctx.evaluate(await image('dir-img-valid', null));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toBe(
      'signature 1: identity "testing/manifest:latest" is not accepted for "this/does-not:match" under exactReference this/does-not:match',
    );
  });

  it('exactReference of the signed reference accepts an image without docker identity', async () => {
    const ctx = new PolicyContext(
      policyOf(
        signedBy(
          { keyPath: join(F, 'public-key.gpg') },
          {
            type: 'exactReference',
            dockerReference: 'testing/manifest:latest',
          },
        ),
      ),
    );
    expect(
      (await ctx.evaluate(await image('dir-img-valid', null))).allowed,
    ).toBe(true);
  });

  it('matchExact rejects an image with no docker identity', async () => {
    const ctx = new PolicyContext(policyOf(k1));
    const ev = await ctx.evaluate(await image('dir-img-valid', null));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toBe(
      'signature 1: identity "testing/manifest:latest" is not accepted for "(image has no docker reference)" under matchExact',
    );
  });

  it('the default matchRepoDigestOrExact names itself in the message', async () => {
    const ctx = new PolicyContext(
      policyOf(
        signedBy(
          { keyPath: join(F, 'public-key.gpg') },
          { type: 'matchRepoDigestOrExact' },
        ),
      ),
    );
    const ev = await ctx.evaluate(
      await image('dir-img-valid', 'testing/manifest:v2'),
    );
    expect(ev.results[0]?.reason).toBe(
      'signature 1: identity "testing/manifest:latest" is not accepted for "docker.io/testing/manifest:v2" under matchRepoDigestOrExact',
    );
  });
});

describe('combining requirements', () => {
  it('all must allow; evaluation stops at the first rejection', async () => {
    const ctx = new PolicyContext(
      policyOf({ type: 'insecureAcceptAnything' }, k1, { type: 'reject' }, k1),
    );
    const img = await image('dir-img-valid');
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(false);
    expect(ev.results.map((r) => r.outcome)).toEqual([
      'accepted',
      'accepted',
      'rejected',
    ]);
    await expect(ctx.assertAllowed(img)).rejects.toThrow(
      PolicyRequirementError,
    );
    await expect(ctx.assertAllowed(img)).rejects.toThrow(
      /^Running image dir:.*dir-img-valid is rejected by policy: requirement 3 \(reject\): Running image dir:.* is rejected by policy\.$/,
    );
    // reject rejects every signature.
    expect(await ctx.acceptedSignatures(img)).toEqual([]);
  });

  it('insecureAcceptAnything allows but accepts no signature', async () => {
    const ctx = new PolicyContext(policyOf({ type: 'insecureAcceptAnything' }));
    const img = await image('dir-img-valid');
    expect((await ctx.assertAllowed(img)).allowed).toBe(true);
    expect(await ctx.acceptedSignatures(img)).toEqual([]);
  });

  it('signedBaseLayer always rejects but is neutral for signatures', async () => {
    const ctx = new PolicyContext(
      policyOf(k1, {
        type: 'signedBaseLayer',
        baseLayerIdentity: { type: 'matchRepository' },
      }),
    );
    const img = await image('dir-img-valid');
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(false);
    expect(ev.results[1]?.reason).toContain(
      'signedBaseLayer is not implemented',
    );
    expect((await ctx.acceptedSignatures(img)).map((s) => s.index)).toEqual([
      1,
    ]);
  });

  it('sigstoreSigned rejects (not supported) and rejects every signature', async () => {
    const ctx = new PolicyContext(
      policyOf(k1, {
        type: 'sigstoreSigned',
        keyPath: join(F, 'cosign.pub'),
        signedIdentity: { type: 'matchRepository' },
      }),
    );
    const img = await image('dir-img-valid');
    expect((await ctx.evaluate(img)).results[1]?.reason).toContain(
      'sigstoreSigned is not supported',
    );
    expect(await ctx.acceptedSignatures(img)).toEqual([]);
  });

  it('sigstore signatures are invisible to signedBy', async () => {
    const ctx = new PolicyContext(policyOf(k1));
    const ev = await ctx.evaluate(await image('dir-img-cosign-valid'));
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toMatch(
      /^A signature was required, but no signature exists/,
    );
    expect(ev.results[0]?.signatures?.[0]?.reason).toBe(
      'a sigstore signature, which signedBy ignores',
    );
  });

  it('an unrecognisable signature blob rejects the requirement, naming it', async () => {
    const ctx = new PolicyContext(policyOf(k1));
    const valid = await image('dir-img-valid');
    const sigs = await valid.signatures();
    const img = staticImage(
      valid.reference,
      await valid.manifest(),
      [...sigs, Buffer.from('-----BEGIN PGP')],
      '/store',
    );
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toMatch(
      /^reading signatures from \/store: signature 2 in \/store cannot be used: signature blob is ASCII-armored/,
    );
  });

  it('an I/O failure reading signatures is inconclusive, not a verdict', async () => {
    const ctx = new PolicyContext(policyOf(k1));
    const valid = await image('dir-img-valid');
    const img = staticImage(
      valid.reference,
      await valid.manifest(),
      new InconclusiveError('registry unreachable'),
    );
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.inconclusive).toBe(true);
    await expect(ctx.assertAllowed(img)).rejects.toThrow(InconclusiveError);
  });

  it('a digest reference whose manifest does not match is rejected before any signature counts', async () => {
    const valid = await image('dir-img-valid');
    const other = `sha256:${'1'.repeat(64)}`;
    const ctx = new PolicyContext(
      policyOf(
        signedBy(
          { keyPath: join(F, 'public-key.gpg') },
          { type: 'matchRepository' },
        ),
      ),
    );
    const img = staticImage(
      dockerRef(`testing/manifest@${other}`),
      await valid.manifest(),
      await valid.signatures(),
    );
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain(
      `the manifest does not match the digest in the reference: expected ${other}, got ${M_DIGEST}`,
    );
  });

  it('the manifest and signatures are fetched once per evaluation', async () => {
    const valid = await image('dir-img-valid-2', 'testing/manifest:notlatest');
    let manifests = 0;
    let signatures = 0;
    const img = {
      reference: dirRef('/x', 'testing/manifest:notlatest'),
      manifest: () => (manifests++, valid.manifest()),
      signatures: () => (signatures++, valid.signatures()),
    };
    const ctx = new PolicyContext(policyOf(k1, k1));
    await ctx.evaluate(img);
    expect([manifests, signatures]).toEqual([1, 1]);
  });
});
