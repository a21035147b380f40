import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import type { PrivateKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import {
  parsePublicKeyPacket,
  UnsupportedOpenPGPError,
} from '../../../../../src/signature/pgp/native/key-packet.js';
import { parseV4Signature } from '../../../../../src/signature/pgp/native/signature-packet.js';
import { splitPackets } from '../../../../../src/signature/pgp/native/packet-framing.js';
import { signatureFixtures } from '../../../../helpers/paths.js';
import { expectAgreement } from './differential.js';

const K1 = readFileSync(join(signatureFixtures, 'public-key-1.gpg'));

function primaryBody(): Buffer {
  return Buffer.from(splitPackets(K1)[0]!.body);
}

async function signWith(
  options: object,
): Promise<{ key: Buffer; sig: Buffer }> {
  const generateKey = openpgp.generateKey as unknown as (
    o: object,
  ) => Promise<{ privateKey: PrivateKey }>;
  const { privateKey } = await generateKey({
    userIDs: [{ name: 'packets' }],
    type: 'curve25519',
    format: 'object',
  });
  const message = await openpgp.createMessage({
    binary: new TextEncoder().encode('payload'),
  });
  const sig = await openpgp.sign({
    message,
    signingKeys: privateKey,
    format: 'binary',
    ...options,
  });
  return {
    key: Buffer.from(privateKey.toPublic().write()),
    sig: Buffer.from(sig),
  };
}

describe('parsePublicKeyPacket', () => {
  it('reads K1: fingerprint, key ID, RSA size, node:crypto key', () => {
    const { key, end } = parsePublicKeyPacket(primaryBody());
    expect(end).toBe(primaryBody().length);
    expect(key.fingerprint).toBe('08CD26E446E2E95249B7A405E932F44B23E8DD43');
    expect(key.keyID).toBe('E932F44B23E8DD43');
    expect(key).toMatchObject({ version: 4, algorithm: 1, bits: 3072 });
    expect(key.publicKey.asymmetricKeyType).toBe('rsa');
    expect(key.params['n']).toHaveLength(384);
  });

  it('leaves non-canonical MPIs, other versions and algorithms to openpgp.js', () => {
    const body = primaryBody();
    const padded = Buffer.from(body);
    padded.writeUInt16BE(padded.readUInt16BE(6) + 1, 6); // bit count too large
    expect(() => parsePublicKeyPacket(padded)).toThrow(UnsupportedOpenPGPError);
    const v5 = Buffer.from(body);
    v5[0] = 5;
    expect(() => parsePublicKeyPacket(v5)).toThrow(UnsupportedOpenPGPError);
    const dsa = Buffer.from(body);
    dsa[5] = 17;
    expect(() => parsePublicKeyPacket(dsa)).toThrow(UnsupportedOpenPGPError);
    expect(() => parsePublicKeyPacket(body.subarray(0, 100))).toThrow(
      UnsupportedOpenPGPError,
    );
  });
});

describe('parseV4Signature', () => {
  it('reads the self-certification of K1', () => {
    const packets = splitPackets(K1);
    const cert = packets.find((p) => p.tag === 2)!;
    const sig = parseV4Signature(cert.body);
    expect(sig.sigType).toBe(0x13);
    expect(sig.issuerKeyID).toBe('E932F44B23E8DD43');
    expect(sig.keyFlags! & 0x02).toBe(2);
  });

  it('leaves a critical notation (openpgp.js rejects it) undecided', async () => {
    const { key, sig } = await signWith({
      signatureNotations: [
        {
          name: 'x@example.com',
          value: new Uint8Array([1]),
          humanReadable: false,
          critical: true,
        },
      ],
    });
    const r = await expectAgreement(
      [key],
      sig,
      new Date(Date.now() + 60_000),
      'critical notation',
    );
    expect(r.openpgp.accepted).toBe(false);
    expect(r.native).toBe('undecided');
  });

  it('accepts a non-critical notation as openpgp.js does', async () => {
    const { key, sig } = await signWith({
      signatureNotations: [
        {
          name: 'x@example.com',
          value: new Uint8Array([1]),
          humanReadable: false,
          critical: false,
        },
      ],
    });
    const r = await expectAgreement(
      [key],
      sig,
      new Date(Date.now() + 60_000),
      'notation',
    );
    expect(r.openpgp.accepted).toBe(true);
    expect(r.native).toBe('accepted');
  });
});
