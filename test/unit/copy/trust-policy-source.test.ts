import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trustedPolicySource } from '../../../src/copy/content-trust.js';
import { PolicyContext } from '../../../src/policy/context.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { imageFromSource } from '../../../src/policy/unparsed-image.js';
import { readKeyMaterial } from '../../../src/signature/pgp/keys.js';
import { newPGPSigner } from '../../../src/signature/pgp/signer.js';
import { signDockerManifest } from '../../../src/signature/simple.js';
import { parseImageName } from '../../../src/transports/all.js';
import type {
  ImageReference,
  ImageSource,
} from '../../../src/transports/types.js';
import { signatureFixtures as F } from '../../helpers/paths.js';

// The policy engine on a source that content trust pinned: the manifest
// and signatures come from `repo@<Notary digest>`, the policy must judge
// the tag the user gave (SPEC §3.3 scopes, §3.5 matchRepoDigestOrExact).
// No network: the pinned source is in memory, its reference never opened.

const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const MANIFEST = readFileSync(join(F, 'image.manifest.json'));
const DIGEST =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const REPO = 'example.com/team/app';
const tagged = parseImageName(`docker://${REPO}:1`);
const pinnedRef = parseImageName(`docker://${REPO}@${DIGEST}`);

let signFor: (identity: string, manifest?: Buffer) => Promise<Buffer>;

beforeAll(async () => {
  const keys = await readKeyMaterial(
    readFileSync(join(F, 'secring.gpg')),
    'secring.gpg',
  );
  const signer = await newPGPSigner(
    keys.find((k) => k.fingerprint === K1)!.secretKey!,
    undefined,
  );
  signFor = (identity, manifest = MANIFEST) =>
    signDockerManifest(manifest, identity, signer);
});

/** What DockerImageSource would serve for `repo@DIGEST`, from memory. */
function memorySource(
  reference: ImageReference,
  signatures: Buffer[],
  manifest = MANIFEST,
): ImageSource & { closed: boolean } {
  return {
    reference,
    closed: false,
    getManifest: () =>
      Promise.resolve({
        bytes: manifest,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      }),
    getBlob: () => Promise.reject(new Error('no blobs in this test')),
    getSignatures: () => Promise.resolve(signatures),
    close() {
      this.closed = true;
      return Promise.resolve();
    },
  };
}

const policy = (docker: Record<string, unknown[]>) =>
  new PolicyContext(
    parsePolicy(
      JSON.stringify({ default: [{ type: 'reject' }], transports: { docker } }),
      'policy.json',
    ),
  );

const signedBy = {
  type: 'signedBy',
  keyType: 'GPGKeys',
  keyPath: join(F, 'public-key.gpg'),
};

describe('trustedPolicySource: the policy judges the tag, reads the pinned digest', () => {
  it('names the tagged reference and reads manifest and signatures from the pinned source', async () => {
    const sig = await signFor(`${REPO}:1`);
    const pinned = memorySource(pinnedRef, [sig]);
    const view = trustedPolicySource(pinned, tagged, DIGEST);
    expect(view.reference).toBe(tagged);
    expect((await view.getManifest()).bytes).toEqual(MANIFEST);
    expect(await view.getSignatures()).toEqual([sig]);
    await view.close();
    expect(pinned.closed).toBe(false);
  });

  it('applies a tag-scoped reject (the repository scope would allow)', async () => {
    const ctx = policy({
      [`${REPO}:1`]: [{ type: 'reject' }],
      [REPO]: [{ type: 'insecureAcceptAnything' }],
    });
    const pinned = memorySource(pinnedRef, []);
    const ev = await ctx.evaluate(
      imageFromSource(trustedPolicySource(pinned, tagged, DIGEST)),
    );
    expect(ev).toMatchObject({
      allowed: false,
      image: `docker://${REPO}:1`,
      scope: { transport: 'docker', scope: `${REPO}:1` },
    });
    // The defect: judged as repo@digest, the tag scope is skipped.
    const loose = await ctx.evaluate(imageFromSource(pinned));
    expect(loose).toMatchObject({
      allowed: true,
      scope: { transport: 'docker', scope: REPO },
    });
  });

  it('rejects a signature made for another tag of the repository (matchRepoDigestOrExact on the tag)', async () => {
    const ctx = policy({ [REPO]: [signedBy] });
    const pinned = memorySource(pinnedRef, [await signFor(`${REPO}:2`)]);
    const ev = await ctx.evaluate(
      imageFromSource(trustedPolicySource(pinned, tagged, DIGEST)),
    );
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain(
      `identity "${REPO}:2" is not accepted for "${REPO}:1"`,
    );
    // The defect: for repo@digest any identity in the repository matches.
    expect((await ctx.evaluate(imageFromSource(pinned))).allowed).toBe(true);
  });

  it('accepts a signature made for the tag, checked against the pinned manifest', async () => {
    const ctx = policy({ [REPO]: [signedBy] });
    const pinned = memorySource(pinnedRef, [await signFor(`${REPO}:1`)]);
    const ev = await ctx.evaluate(
      imageFromSource(trustedPolicySource(pinned, tagged, DIGEST)),
    );
    expect(ev.allowed).toBe(true);
    expect(ev.results[0]?.signatures?.[0]).toMatchObject({
      accepted: true,
      keyIdentity: K1,
      dockerReference: `${REPO}:1`,
      dockerManifestDigest: DIGEST,
    });
  });

  it('rejects a signature for the tag over other manifest bytes (the digest is the pinned one)', async () => {
    const ctx = policy({ [REPO]: [signedBy] });
    const other = Buffer.from(`${MANIFEST.toString('utf8')} `);
    const pinned = memorySource(pinnedRef, [await signFor(`${REPO}:1`, other)]);
    const ev = await ctx.evaluate(
      imageFromSource(trustedPolicySource(pinned, tagged, DIGEST)),
    );
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain(
      `but the manifest of docker://${REPO}:1 has digest ${DIGEST}`,
    );
  });

  it('refuses a top-level manifest that is not the pinned digest', async () => {
    const other = Buffer.from(`${MANIFEST.toString('utf8')} `);
    const view = trustedPolicySource(
      memorySource(pinnedRef, [], other),
      tagged,
      DIGEST,
    );
    await expect(view.getManifest()).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining(
        `manifest of docker://${REPO}:1 does not match the digest ${DIGEST} content trust resolved`,
      ) as unknown,
    });
    // And the policy refuses the image rather than judging other bytes.
    const ctx = policy({ [REPO]: [signedBy] });
    const ev = await ctx.evaluate(
      imageFromSource(
        trustedPolicySource(
          memorySource(pinnedRef, [await signFor(`${REPO}:1`, other)], other),
          tagged,
          DIGEST,
        ),
      ),
    );
    expect(ev.allowed).toBe(false);
  });
});
