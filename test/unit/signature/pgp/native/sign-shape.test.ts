import * as openpgp from 'openpgp';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { readPackets } from '../../../../../src/signature/pgp/packets.js';
import { describeWithPeers } from '../../../../helpers/peers.js';
import { gpgHome, makeGpgKey, type GpgHome, type GpgKey } from './gpg-keys.js';

/**
 * The native signed message has openpgp.js v6's shape: the same packets,
 * the same one-pass and literal fields, the same hash algorithm (also for
 * keys whose preferences make openpgp.js pick something other than
 * SHA-512) and the same hashed subpackets, in the same order.
 */
interface Shape {
  tags: number[];
  onePass: string;
  literalHead: string;
  sig: {
    version: number;
    type: number;
    publicKeyAlgorithm: number;
    hashAlgorithm: number;
    hashed: string[];
    unhashedLength: number;
  };
}

function shape(message: Buffer): Shape {
  const packets = readPackets(message);
  const [onePass, literal, sig] = packets.map((p) => p.body) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  const hashedLen = sig.readUInt16BE(4);
  const hashed: string[] = [];
  for (let pos = 6; pos < 6 + hashedLen;) {
    const len = sig[pos]!;
    const type = sig[pos + 1]!;
    hashed.push(`${type & 0x80 ? 'critical ' : ''}${type & 0x7f}/${len}`);
    pos += 1 + len;
  }
  return {
    tags: packets.map((p) => p.tag),
    onePass: onePass.toString('hex'),
    // format, file name length (the date is the signing time).
    literalHead: literal.subarray(0, 2).toString('hex'),
    sig: {
      version: sig[0]!,
      type: sig[1]!,
      publicKeyAlgorithm: sig[2]!,
      hashAlgorithm: sig[3]!,
      hashed,
      unhashedLength: sig.readUInt16BE(6 + hashedLen),
    },
  };
}

async function openpgpSigned(secret: Buffer, payload: Buffer): Promise<Buffer> {
  const key = await openpgp.readPrivateKey({ binaryKey: secret });
  const signed = (await openpgp.sign({
    message: await openpgp.createMessage({ binary: payload }),
    signingKeys: key,
    format: 'binary',
  } as Parameters<typeof openpgp.sign>[0])) as unknown as Uint8Array;
  return Buffer.from(signed);
}

/** Signs with fresh modules and checks that openpgp.js stayed unloaded. */
async function signNatively(secret: Buffer, payload: Buffer): Promise<Buffer> {
  vi.resetModules();
  const { newPGPSigner } =
    await import('../../../../../src/signature/pgp/signer.js');
  const { isOpenPGPLoaded } =
    await import('../../../../../src/signature/pgp/openpgp.js');
  const signed = await (await newPGPSigner(secret, undefined)).sign(payload);
  expect(isOpenPGPLoaded()).toBe(false);
  return signed;
}

/** Replace the key's algorithm preferences (the self-signature's hash list). */
async function setPrefs(
  home: GpgHome,
  fpr: string,
  prefs: string,
): Promise<void> {
  await home.gpg(
    ['--passphrase', '', '--command-fd', '0', '--edit-key', fpr],
    Buffer.from(`setpref ${prefs}\ny\nsave\n`),
  );
}

const cases: { algo: string; prefs?: string }[] = [
  { algo: 'rsa2048' },
  { algo: 'ed25519' },
  { algo: 'nistp256' },
  { algo: 'nistp384' },
  { algo: 'nistp521' },
  { algo: 'rsa2048', prefs: 'SHA256 SHA1 AES256' },
  { algo: 'nistp384', prefs: 'SHA256 AES256' },
  { algo: 'nistp521', prefs: 'SHA384 AES256' },
  { algo: 'ed25519', prefs: 'SHA384 SHA224 AES256' },
  { algo: 'nistp256', prefs: 'SHA512 AES256' },
  { algo: 'ed25519', prefs: 'SHA256 AES256' },
  { algo: 'rsa2048', prefs: 'SHA384 SHA224 AES256' },
];

describeWithPeers('native signed message shape', ['gpg'], () => {
  let home: GpgHome;
  beforeAll(async () => {
    home = await gpgHome('imgsign-native-shape-');
  });
  afterAll(async () => {
    await home?.close();
  });

  it('an openpgp.js Ed25519 (algorithm 27) key: same shape, and openpgp.js verifies it', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      userIDs: [{ name: 'Ed', email: 'ed27@example.com' }],
      type: 'curve25519',
      format: 'binary',
    });
    const secret = Buffer.from(privateKey);
    expect(readPackets(secret)[0]!.body[5]).toBe(27);
    const payload = Buffer.from('{"x":27}');
    const ours = await signNatively(secret, payload);
    expect(shape(ours)).toEqual(shape(await openpgpSigned(secret, payload)));
    const result = await openpgp.verify({
      message: await openpgp.readMessage({ binaryMessage: ours }),
      verificationKeys: await openpgp.readKey({ binaryKey: publicKey }),
      expectSigned: true,
      format: 'binary',
    });
    await expect(result.signatures[0]!.verified).resolves.toBe(true);
  });

  for (const [i, c] of cases.entries()) {
    it(`${c.algo}${c.prefs ? ` preferring ${c.prefs}` : ''}: same shape and hash as openpgp.js`, async () => {
      let key: GpgKey = await makeGpgKey(home, {
        uid: `Shape ${i} <shape${i}@example.com>`,
        algo: c.algo,
      });
      if (c.prefs !== undefined) {
        await setPrefs(home, key.fingerprint, c.prefs);
        const { exportGpgKey } = await import('./gpg-keys.js');
        key = await exportGpgKey(home, key.fingerprint, '');
      }
      const payload = Buffer.from('{"critical":{}}');
      const ours = await signNatively(key.secret, payload);
      const theirs = await openpgpSigned(key.secret, payload);
      expect(shape(ours)).toEqual(shape(theirs));
      expect(readPackets(ours)[1]!.body.subarray(6).equals(payload)).toBe(true);
    });
  }
});
