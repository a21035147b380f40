import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { signDockerManifest } from '../../src/signature/simple.js';
import { readKeyMaterial } from '../../src/signature/pgp/keys.js';
import { newPGPSigner } from '../../src/signature/pgp/signer.js';
import { describeWithPeers } from '../helpers/peers.js';
import { signatureFixtures } from '../helpers/paths.js';
import {
  useContentTrustEnv,
  TRUST_PEERS,
} from '../integration/copy-content-trust-setup.js';
import type { SmallImage } from '../servers/registry.js';

const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';

// Attack: the only simple signature of the image Notary signs for `:v1`
// claims ANOTHER tag of the repository (`:v2`). policy.json requires
// signedBy with the default matchRepoDigestOrExact, which for a tag
// demands the exact tag. With content trust on, the copy used to evaluate
// `repo@sha256:…`, for which any identity in the repository matches, so
// the signature for `:v2` was accepted for `:v1`. Content trust must not
// loosen the policy: the identity is matched against the tag the user gave.
describeWithPeers(
  'copy with content trust and a signedBy policy: a signature made for another tag',
  [...TRUST_PEERS],
  () => {
    const env = useContentTrustEnv();
    let repo: string;
    let img: SmallImage;
    let work: string;
    let policy: string;
    let registriesD: string;
    let sigDir: string;

    beforeAll(async () => {
      repo = `${env.proxy.host}/attack/othertag`;
      ({ img } = await env.push('attack/othertag', 'v1', true));
      work = await env.peers.tempDir();
      const lookaside = join(work, 'lookaside');
      sigDir = join(
        lookaside,
        `attack/othertag@sha256=${img.manifestDigest.slice('sha256:'.length)}`,
      );
      registriesD = join(work, 'registries.d');
      await mkdir(registriesD);
      await writeFile(
        join(registriesD, 'test.yaml'),
        `docker:\n  ${env.proxy.host}:\n    lookaside: file://${lookaside}\n`,
      );
      policy = join(work, 'policy.json');
      await writeFile(
        policy,
        JSON.stringify({
          default: [{ type: 'reject' }],
          transports: {
            docker: {
              [repo]: [
                {
                  type: 'signedBy',
                  keyType: 'GPGKeys',
                  keyPath: join(signatureFixtures, 'public-key.gpg'),
                },
              ],
            },
          },
        }),
      );
    }, 120_000);

    /** Make the image's only lookaside signature one by K1 claiming `identity`. */
    async function signatureFor(identity: string): Promise<void> {
      const keys = await readKeyMaterial(
        await readFile(join(signatureFixtures, 'secring.gpg')),
        'secring.gpg',
      );
      const k1 = keys.find((k) => k.fingerprint === K1)!;
      const signer = await newPGPSigner(k1.secretKey!, undefined);
      await rm(sigDir, { recursive: true, force: true });
      await mkdir(sigDir, { recursive: true });
      await writeFile(
        join(sigDir, 'signature-1'),
        await signDockerManifest(img.manifest, identity, signer),
      );
    }

    const pull = async (e: Record<string, string> = {}) => {
      const out = join(await env.peers.tempDir(), 'out');
      const r = await env.imgsign(
        [
          'copy',
          '--policy',
          policy,
          '--registries.d',
          registriesD,
          '--src-tls-verify=false',
          `docker://${repo}:v1`,
          `dir:${out}`,
        ],
        e,
      );
      return { r, out };
    };

    it('rejects the Notary-resolved :v1 when its signature was made for :v2', async () => {
      await signatureFor(`${repo}:v2`);
      const { r, out } = await pull();
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `Source image rejected by ${policy}: Running image docker://${repo}:v1 is rejected by policy`,
      );
      expect(r.stderr).toContain(
        `identity "${repo}:v2" is not accepted for "${repo}:v1"`,
      );
      expect(existsSync(out)).toBe(false);
      // Same verdict as a plain copy of the tag.
      const plain = await pull({ DOCKER_CONTENT_TRUST: '0' });
      expect(plain.r.code).toBe(1);
      expect(plain.r.stderr).toContain(
        `identity "${repo}:v2" is not accepted for "${repo}:v1"`,
      );
    });

    it('accepts it with a signature made for :v1 (the digest checked is the Notary one)', async () => {
      await signatureFor(`${repo}:v1`);
      const { r, out } = await pull();
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await readFile(join(out, 'manifest.json'))).toEqual(img.manifest);
      expect(r.stdout).toContain(
        `  content trust: ${repo}:v1 resolved to ${img.manifestDigest}`,
      );
    });
  },
);
