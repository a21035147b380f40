import { describe, expect, it } from 'vitest';
import { contentTrustEnabled } from '../../../src/cli/copy-flags.js';

describe('DOCKER_CONTENT_TRUST parsing (SPEC §7.10)', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])(
    'is on for the true boolean %s',
    (v) => expect(contentTrustEnabled({ DOCKER_CONTENT_TRUST: v })).toBe(true),
  );
  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])(
    'is off for the false boolean %s',
    (v) => expect(contentTrustEnabled({ DOCKER_CONTENT_TRUST: v })).toBe(false),
  );
  it.each(['yes', 'on', 'enabled', 'fAlse', ' 0', 'no'])(
    'is on for %j, which is not a boolean (docker enables on parse errors)',
    (v) => expect(contentTrustEnabled({ DOCKER_CONTENT_TRUST: v })).toBe(true),
  );
  it('is off when unset or empty', () => {
    expect(contentTrustEnabled({})).toBe(false);
    expect(contentTrustEnabled({ DOCKER_CONTENT_TRUST: '' })).toBe(false);
  });
  it('--disable-content-trust overrides the environment either way', () => {
    expect(contentTrustEnabled({ DOCKER_CONTENT_TRUST: '1' }, true)).toBe(
      false,
    );
    expect(contentTrustEnabled({}, false)).toBe(true);
    expect(contentTrustEnabled({ DOCKER_CONTENT_TRUST: '0' }, false)).toBe(
      true,
    );
  });
});
