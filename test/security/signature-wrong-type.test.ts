import { describe, expect, it } from 'vitest';
import { D, IDENTITY, IMAGE, TYPE, trustedSigner } from './forged-signature.js';

describe('when critical.type is not "atomic container signature"', async () => {
  const verdict = await trustedSigner();
  it.each([
    [
      'another string',
      '"cosign container image signature"',
      /critical\.type is "cosign container image signature"/,
    ],
    [
      'a different case',
      '"Atomic Container Signature"',
      /critical\.type is "Atomic Container Signature"/,
    ],
    ['a number', '1', /critical\.type must be a string, not number/],
    ['an object', '{}', /critical\.type must be a string, not object/],
  ])('rejects %s', async (_, type, message) => {
    await expect(
      verdict(
        `{"critical":{${IDENTITY},${IMAGE},"type":${type}},"optional":{}}`,
      ),
    ).rejects.toThrow(message);
  });
  it('rejects wrong JSON types for the other critical fields', async () => {
    await expect(
      verdict(
        `{"critical":{"identity":{"docker-reference":1},${IMAGE},${TYPE}},"optional":{}}`,
      ),
    ).rejects.toThrow(/docker-reference must be a string, not number/);
    await expect(
      verdict(
        `{"critical":{${IDENTITY},"image":{"docker-manifest-digest":["${D}"]},${TYPE}},"optional":{}}`,
      ),
    ).rejects.toThrow(/docker-manifest-digest must be a string, not array/);
    await expect(verdict(`{"critical":[],"optional":{}}`)).rejects.toThrow(
      /field critical must be a JSON object, not array/,
    );
    await expect(
      verdict(
        `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{"timestamp":"yesterday"}}`,
      ),
    ).rejects.toThrow(/optional\.timestamp must be a number/);
    await expect(
      verdict(
        `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{"timestamp":0.5}}`,
      ),
    ).rejects.toThrow(/optional\.timestamp 0\.5 is not a 64-bit integer/);
    await expect(
      verdict(
        `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{"creator":7}}`,
      ),
    ).rejects.toThrow(/optional\.creator must be a string/);
  });
});
