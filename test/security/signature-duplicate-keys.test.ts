import { describe, expect, it } from 'vitest';
import { D, IDENTITY, IMAGE, TYPE, trustedSigner } from './forged-signature.js';

describe('when the claims repeat a key (JSON parsers disagree on which one wins)', async () => {
  const verdict = await trustedSigner();
  it.each([
    [
      'top level',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{},"optional":{}}`,
      /duplicate field optional/,
    ],
    [
      'critical',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE},${TYPE}},"optional":{}}`,
      /duplicate field critical\.type/,
    ],
    [
      'critical.image',
      `{"critical":{${IDENTITY},"image":{"docker-manifest-digest":"${D}","docker-manifest-digest":"sha256:${'0'.repeat(64)}"},${TYPE}},"optional":{}}`,
      /duplicate field critical\.image\.docker-manifest-digest/,
    ],
    [
      'critical.identity',
      `{"critical":{"identity":{"docker-reference":"testing/manifest:latest","docker-reference":"evil/image:latest"},${IMAGE},${TYPE}},"optional":{}}`,
      /duplicate field critical\.identity\.docker-reference/,
    ],
    [
      'optional',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{"creator":"a","creator":"b"}}`,
      /duplicate field optional\.creator/,
    ],
  ])('rejects a duplicate in %s', async (_, payload, message) => {
    await expect(verdict(payload)).rejects.toThrow(message);
  });
  it('rejects trailing data after the claims', async () => {
    await expect(
      verdict(`{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{}}{}`),
    ).rejects.toThrow(/trailing data/);
  });
});
