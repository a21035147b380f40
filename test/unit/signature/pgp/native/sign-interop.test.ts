import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { generateKeyMaterial } from '../../../../../src/signature/pgp/keys.js';
import { newPGPVerifier } from '../../../../../src/signature/pgp/verifier.js';
import { signDockerManifest } from '../../../../../src/signature/simple.js';
import { signatureFixtures } from '../../../../helpers/paths.js';
import { describeWithPeers } from '../../../../helpers/peers.js';
import { gpgHome, makeGpgKey, type GpgHome } from './gpg-keys.js';

/**
 * Native signing (no openpgp.js) for the keys users actually have: made by
 * gpg 2.2 (exported protected or not, armored or binary) and by openpgp.js
 * (imgsign key generate). Every signature must be accepted by gpg,
 * openpgp.js, imgsign's verifier and skopeo standalone-verify.
 */
const run = promisify(execFile);
const MANIFEST = readFileSync(join(signatureFixtures, 'image.manifest.json'));
const DIGEST =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const REF = 'quay.io/imgsign/native:1.0';

interface Case {
  name: string;
  make(home: GpgHome): Promise<{
    fingerprint: string;
    secret: Buffer;
    publicKey: Buffer;
    passphrase?: string;
  }>;
}

const gpgCase = (
  algo: string,
  passphrase: string | undefined,
  armored: boolean,
): Case => ({
  name: `gpg ${algo} ${passphrase !== undefined ? 'with' : 'without'} passphrase (${armored ? 'armored' : 'binary'})`,
  async make(home) {
    const key = await makeGpgKey(home, {
      uid: `Native ${algo} ${passphrase ?? 'nopw'} <${algo}@example.com>`,
      algo,
      ...(passphrase !== undefined ? { passphrase } : {}),
    });
    return { ...key, secret: armored ? key.secretArmored : key.secret };
  },
});

const openpgpCase = (
  type: 'ed25519' | 'rsa4096',
  passphrase: string | undefined,
): Case => ({
  name: `openpgp.js ${type} ${passphrase !== undefined ? 'with' : 'without'} passphrase`,
  async make() {
    const key = await generateKeyMaterial({
      name: `Generated ${type}`,
      email: `${type}@example.com`,
      type,
      ...(passphrase !== undefined ? { passphrase } : {}),
    });
    return {
      fingerprint: key.fingerprint,
      secret: key.secretKey!,
      publicKey: key.publicKey,
      ...(passphrase !== undefined ? { passphrase } : {}),
    };
  },
});

const cases: Case[] = [
  gpgCase('rsa2048', 'rsa pass', false),
  gpgCase('rsa3072', undefined, true),
  gpgCase('ed25519', 'ed pass', true),
  gpgCase('ed25519', undefined, false),
  gpgCase('nistp256', 'p256 pass', false),
  gpgCase('nistp256', undefined, true),
  gpgCase('nistp384', 'p384 pass', true),
  gpgCase('nistp384', undefined, false),
  openpgpCase('ed25519', undefined),
  openpgpCase('ed25519', 'generated pass'),
  openpgpCase('rsa4096', undefined),
  openpgpCase('rsa4096', 'generated pass'),
];

/** Sign with fresh modules, reporting whether openpgp.js got loaded. */
async function signInFreshModules(
  secret: Buffer,
  passphrase: string | undefined,
): Promise<{ signed: Buffer; loaded: boolean; fingerprint: string }> {
  vi.resetModules();
  const { newPGPSigner } =
    await import('../../../../../src/signature/pgp/signer.js');
  const { isOpenPGPLoaded } =
    await import('../../../../../src/signature/pgp/openpgp.js');
  const signer = await newPGPSigner(secret, passphrase);
  const signed = await signDockerManifest(MANIFEST, REF, signer);
  return { signed, loaded: isOpenPGPLoaded(), fingerprint: signer.fingerprint };
}

describeWithPeers('native signing interop', ['gpg', 'skopeo'], () => {
  let signerHome: GpgHome;
  let verifyHome: GpgHome;
  beforeAll(async () => {
    signerHome = await gpgHome('imgsign-native-sign-');
    verifyHome = await gpgHome('imgsign-native-verify-');
  });
  afterAll(async () => {
    await signerHome?.close();
    await verifyHome?.close();
  });

  for (const c of cases) {
    it(`${c.name}: signs without openpgp.js; gpg, openpgp.js, imgsign and skopeo accept`, async () => {
      const key = await c.make(signerHome);
      const { signed, loaded, fingerprint } = await signInFreshModules(
        key.secret,
        key.passphrase,
      );
      expect(loaded).toBe(false);
      expect(fingerprint).toBe(key.fingerprint);

      const sigFile = join(verifyHome.dir, `${key.fingerprint}.sig`);
      await writeFile(sigFile, signed);
      await verifyHome.gpg(['--import'], key.publicKey);
      const status = (
        await verifyHome.gpg([
          '--status-fd',
          '1',
          '--output',
          '/dev/null',
          '--decrypt',
          sigFile,
        ])
      ).toString();
      expect(status).toMatch(new RegExp(`VALIDSIG ${key.fingerprint} `));

      const message = await openpgp.readMessage({ binaryMessage: signed });
      const result = await openpgp.verify({
        message,
        verificationKeys: await openpgp.readKey({ binaryKey: key.publicKey }),
        expectSigned: true,
        format: 'binary',
      });
      await expect(result.signatures[0]!.verified).resolves.toBe(true);

      const verifier = await newPGPVerifier([key.publicKey]);
      expect((await verifier.verify(signed)).keyIdentity).toBe(key.fingerprint);

      const { stdout } = await run(
        'skopeo',
        [
          'standalone-verify',
          join(signatureFixtures, 'image.manifest.json'),
          REF,
          key.fingerprint,
          sigFile,
        ],
        {
          env: {
            ...process.env,
            GNUPGHOME: join(verifyHome.dir, 'gnupg'),
          },
        },
      );
      expect(stdout).toContain(`Signature verified, digest ${DIGEST}`);
    });
  }
});
