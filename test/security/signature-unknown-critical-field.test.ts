import { describe, expect, it } from 'vitest';
import { D, IDENTITY, IMAGE, TYPE, trustedSigner } from './forged-signature.js';

describe('when a trusted signature carries an unknown critical field', async () => {
  const verdict = await trustedSigner();
  it('accepts the same claims without the extra field (control)', async () => {
    await expect(
      verdict(`{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{}}`),
    ).resolves.toMatchObject({ dockerManifestDigest: D });
  });
  it.each([
    [
      'critical',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE},"new-rule":"ignore me"},"optional":{}}`,
      /unknown field critical\.new-rule/,
    ],
    [
      'critical.image',
      `{"critical":{${IDENTITY},"image":{"docker-manifest-digest":"${D}","layers":[]},${TYPE}},"optional":{}}`,
      /unknown field critical\.image\.layers/,
    ],
    [
      'critical.identity',
      `{"critical":{"identity":{"docker-reference":"testing/manifest:latest","scope":"any"},${IMAGE},${TYPE}},"optional":{}}`,
      /unknown field critical\.identity\.scope/,
    ],
    [
      'the top level',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{},"extra":{}}`,
      /unknown field extra/,
    ],
  ])('rejects an unknown member of %s', async (_, payload, message) => {
    await expect(verdict(payload)).rejects.toThrow(message);
  });
  it('rejects a missing member of critical', async () => {
    await expect(
      verdict(`{"critical":{${IDENTITY},${TYPE}},"optional":{}}`),
    ).rejects.toThrow(/field critical\.image is missing/);
  });
});
