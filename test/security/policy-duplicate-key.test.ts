import { describe, expect, it } from 'vitest';
import { PolicyFormatError } from '../../src/errors.js';
import { parsePolicy } from '../../src/policy/parse.js';

// A duplicated key lets two readers see two different policies (JSON.parse
// keeps the last value, other parsers the first): the whole file must fail.
describe('when policy.json repeats a key', () => {
  it.each([
    [
      'the requirement type',
      '{"default":[{"type":"signedBy","type":"insecureAcceptAnything","keyType":"GPGKeys","keyPath":"/k"}]}',
      'duplicate key "type"',
    ],
    [
      'default',
      '{"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]}',
      'duplicate key "default"',
    ],
    [
      'a transport',
      '{"default":[{"type":"reject"}],"transports":{"docker":{},"docker":{}}}',
      'duplicate key "docker"',
    ],
    [
      'a scope',
      '{"default":[{"type":"reject"}],"transports":{"docker":{"a.com":[{"type":"reject"}],"a.com":[{"type":"insecureAcceptAnything"}]}}}',
      'duplicate key "a.com"',
    ],
    [
      'the identity type',
      '{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchExact","type":"matchRepository"}}]}',
      'duplicate key "type"',
    ],
  ])('in %s, the policy is rejected', (_what, text, message) => {
    expect(() => parsePolicy(text, 'p.json')).toThrow(PolicyFormatError);
    expect(() => parsePolicy(text, 'p.json')).toThrow(
      `invalid policy in p.json: ${message} (line 1`,
    );
  });
});
