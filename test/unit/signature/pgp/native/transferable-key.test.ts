import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKeyBlobNatively } from '../../../../../src/signature/pgp/native/key-blob.js';
import { UnsupportedOpenPGPError } from '../../../../../src/signature/pgp/native/key-packet.js';
import { splitPackets } from '../../../../../src/signature/pgp/native/packet-framing.js';
import { parseV4Signature } from '../../../../../src/signature/pgp/native/signature-packet.js';
import { writePacket } from '../../../../../src/signature/pgp/native/sign.js';
import { parseTransferableKeys } from '../../../../../src/signature/pgp/native/transferable-key.js';
import { parseNativeKeyring } from '../../../../../src/signature/pgp/native/verify.js';
import { signatureFixtures } from '../../../../helpers/paths.js';

/** K1: primary (6), user ID (13), self-certification, subkey (14), binding. */
const K1 = readFileSync(join(signatureFixtures, 'public-key-1.gpg'));

function k1Packets(): Buffer[] {
  return splitPackets(K1).map((p) => writePacket(p.tag, p.body));
}

/** A V4 certification by another key: creation time, issuer, and MPIs that verify nothing. */
function otherCertification(algorithm: number, critical = 0): Buffer {
  const created = Buffer.from([0x05, 0x02, 0x60, 0, 0, 0]);
  const issuer = Buffer.from([0x09, 0x10, 1, 2, 3, 4, 5, 6, 7, 8]);
  const extra = critical ? Buffer.from([0x02, 0x80 | critical, 1]) : [];
  const hashed = Buffer.concat([created, issuer, Buffer.from(extra)]);
  return Buffer.concat([
    Buffer.from([4, 0x10, algorithm, 8, 0, hashed.length]),
    hashed,
    Buffer.from([0, 0, 0xab, 0xcd]),
    Buffer.from(algorithm === 1 ? [0, 8, 0xff] : [0, 8, 0xff, 0, 8, 0xfe]),
  ]);
}

describe('transferable keys: one reading for every native path', () => {
  it('reads K1 with its self-certification and subkey binding', () => {
    const [key, ...rest] = parseTransferableKeys(K1);
    expect(rest).toHaveLength(0);
    expect(key!.users).toHaveLength(1);
    expect(key!.users[0]!.selfCertifications).toHaveLength(1);
    expect(key!.subkeys).toHaveLength(1);
    expect(key!.subkeys[0]!.bindingSignatures).toHaveLength(1);
  });

  it('a DSA third-party certification is parsed for key listing but left to openpgp.js by verification', () => {
    const packets = k1Packets();
    const dsa = writePacket(2, otherCertification(17));
    const blob = Buffer.concat([
      ...packets.slice(0, 3),
      dsa,
      ...packets.slice(3),
    ]);
    const [key] = parseTransferableKeys(blob);
    expect(key!.users[0]!.otherCertifications).toHaveLength(1);
    expect(parseNativeKeyring([blob])).toBeUndefined();
    expect(parseNativeKeyring([K1])).toHaveLength(1);
    // written back after the self-certification, as openpgp.js orders them
    expect(readKeyBlobNatively(blob)[0]!.publicBinary.includes(dsa)).toBe(true);
  });

  it('a critical subpacket openpgp.js may refuse (exportable, 4) is left to openpgp.js', () => {
    expect(() => parseV4Signature(otherCertification(1))).not.toThrow();
    expect(() => parseV4Signature(otherCertification(1, 4))).toThrow(
      UnsupportedOpenPGPError,
    );
  });

  it('a user ID after a subkey is left to openpgp.js', () => {
    const [primary, uid, cert, subkey, binding] = k1Packets();
    const blob = Buffer.concat([primary!, subkey!, binding!, uid!, cert!]);
    expect(() => parseTransferableKeys(blob)).toThrow(UnsupportedOpenPGPError);
  });
});
