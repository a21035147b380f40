import { describe, expect, it } from 'vitest';
import {
  ImgsignError,
  InvalidSignatureError,
  RegistryHTTPError,
} from '../../src/errors.js';

describe('ImgsignError.withContext', () => {
  it('keeps the subclass, code and fields and prefixes the message', () => {
    const err = new RegistryHTTPError(503, 'registry unavailable');
    const wrapped = err.withContext('pushing docker://x/y:1');
    expect(wrapped).toBeInstanceOf(RegistryHTTPError);
    expect(wrapped.status).toBe(503);
    expect(wrapped.code).toBe('REGISTRY_HTTP');
    expect(wrapped.message).toBe(
      'pushing docker://x/y:1: registry unavailable',
    );
    expect(wrapped.cause).toBe(err);
  });

  it('works for subclasses whose constructor takes only a message', () => {
    const wrapped = new InvalidSignatureError('bad packet').withContext(
      'signature-2',
    );
    expect(wrapped).toBeInstanceOf(InvalidSignatureError);
    expect(wrapped).toBeInstanceOf(ImgsignError);
    expect(wrapped.code).toBe('INVALID_SIGNATURE');
    expect(wrapped.message).toBe('signature-2: bad packet');
  });
});
