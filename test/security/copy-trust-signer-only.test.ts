import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustError } from '../../src/errors.js';
import { tempDir } from '../helpers/paths.js';
import { buildRepo, ecKey } from '../helpers/notary-tuf/fake-repo.js';
import {
  startHostileTrustEnv,
  type HostileTrustEnv,
} from './copy-trust-hostile.js';

// Attack: a signer (targets/mallory, a delegation that is not
// targets/releases) signs the tag for the evil image. Docker only accepts
// tags from targets/releases or targets (SPEC §7.8): the copy is refused.
describe('copy with content trust when only a non-release signer signs the tag', () => {
  let env: HostileTrustEnv;
  beforeAll(async () => {
    env = await startHostileTrustEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('is refused with "No valid trust data" before the registry is asked', async () => {
    const { files } = buildRepo({
      gun: env.gun,
      now: new Date(),
      delegations: [
        {
          name: 'targets/mallory',
          keys: [ecKey()],
          targets: { v1: env.evil.manifest },
        },
      ],
    });
    const out = join(await tempDir(), 'out');
    const { result } = await env.copyWithTrust({
      files,
      trustDir: await tempDir(),
      out,
    });
    expect(result).toBeInstanceOf(TrustError);
    expect((result as Error).message).toMatch(
      /No valid trust data for v1 \(only signed by targets\/mallory, not by targets\/releases or targets\)$/,
    );
    expect(env.registry.requests).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
