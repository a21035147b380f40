import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifySignatureBlob,
  decodeSignatureBlob,
  encodeSignatureBlob,
} from '../../../src/signature/blob.js';
import { signatureFixtures } from '../../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));

describe('classifySignatureBlob', () => {
  it('classifies every simple-signing fixture as simple-signing', () => {
    const files = readdirSync(signatureFixtures).filter(
      (f) =>
        /\.signature(-v3)?$/.test(f) &&
        f !== 'unknown-cosign-key.signature' &&
        f !== 'unsigned-encrypted.signature',
    );
    expect(files.length).toBeGreaterThan(10);
    for (const f of files)
      expect(classifySignatureBlob(fx(f)), f).toBe('simple-signing');
  });
  it('classifies the cosign fixtures as sigstore', () => {
    expect(classifySignatureBlob(fx('unknown-cosign-key.signature'))).toBe(
      'sigstore',
    );
    expect(classifySignatureBlob(fx('dir-img-cosign-valid/signature-1'))).toBe(
      'sigstore',
    );
  });
  it.each([
    ['an empty blob', Buffer.alloc(0), /empty/],
    ['ASCII armor', fx('public-key.gpg'), /ASCII-armored/],
    [
      'an encrypted message (c/image sniffing rejects it)',
      fx('unsigned-encrypted.signature'),
      /unrecognised byte 0x84/,
    ],
    ['random bytes', Buffer.from('hello'), /unrecognised byte 0x68/],
    [
      'an unknown format name',
      Buffer.from('\0other\n{}'),
      /unknown format "other"/,
    ],
    [
      'a format name with control bytes',
      Buffer.from('\0a\tb\n{}'),
      /invalid format-name/,
    ],
  ])('rejects %s', (_, blob, message) => {
    expect(() => classifySignatureBlob(blob)).toThrow(message);
  });
  it('strips and restores the format prefix', () => {
    const blob = fx('unknown-cosign-key.signature');
    const d = decodeSignatureBlob(blob);
    expect(encodeSignatureBlob(d.format, d.payload).equals(blob)).toBe(true);
    const simple = fx('image.signature');
    expect(encodeSignatureBlob('simple-signing', simple)).toBe(simple);
    expect(
      decodeSignatureBlob(
        Buffer.concat([Buffer.from('\0simple-signing\n'), simple]),
      ).payload.equals(simple),
    ).toBe(true);
  });
});
