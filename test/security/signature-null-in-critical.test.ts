import { describe, expect, it } from 'vitest';
import { IDENTITY, IMAGE, TYPE, trustedSigner } from './forged-signature.js';

describe('when critical contains null', async () => {
  const verdict = await trustedSigner();
  it.each([
    [
      'type',
      `{"critical":{${IDENTITY},${IMAGE},"type":null},"optional":{}}`,
      /critical\.type must be a string, not null/,
    ],
    [
      'docker-manifest-digest',
      `{"critical":{${IDENTITY},"image":{"docker-manifest-digest":null},${TYPE}},"optional":{}}`,
      /docker-manifest-digest must be a string, not null/,
    ],
    [
      'docker-reference',
      `{"critical":{"identity":{"docker-reference":null},${IMAGE},${TYPE}},"optional":{}}`,
      /docker-reference must be a string, not null/,
    ],
    [
      'identity',
      `{"critical":{"identity":null,${IMAGE},${TYPE}},"optional":{}}`,
      /critical\.identity must be a JSON object, not null/,
    ],
    [
      'critical itself',
      '{"critical":null,"optional":{}}',
      /field critical must be a JSON object, not null/,
    ],
  ])('rejects null as %s', async (_, payload, message) => {
    await expect(verdict(payload)).rejects.toThrow(message);
  });
  it('treats null optional members as absent', async () => {
    const sig = await verdict(
      `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{"creator":null,"timestamp":null}}`,
    );
    expect(sig).not.toHaveProperty('creator');
    expect(sig).not.toHaveProperty('timestamp');
  });
});
