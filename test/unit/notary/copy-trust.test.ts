import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { notaryTrustedTagResolver } from '../../../src/notary/copy-trust.js';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import { TrustError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/paths.js';
import { serveFakeRepo } from '../../helpers/notary-tuf/fake-repo-server.js';
import {
  buildRepo,
  ecKey,
  tamper,
  type RepoOptions,
} from '../../helpers/notary-tuf/fake-repo.js';

const GUN = 'example.com/team/app';
const signedManifest = Buffer.from('{"the":"signed manifest"}');
const otherManifest = Buffer.from('{"another":"manifest"}');
const digestOf = (b: Buffer) =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function resolve(files: Map<string, Buffer> | undefined, tag = 'v1') {
  const server = await serveFakeRepo(GUN, files ?? new Map());
  try {
    const resolver = notaryTrustedTagResolver({
      trustDir: await tempDir(),
      serverOverride: server.url,
      insecureAllowHTTP: true,
    });
    return {
      result: await resolver({
        ref: parseNormalizedNamed(`${GUN}:${tag}`),
        sys: {},
      }).catch((e: unknown) => e),
      server,
    };
  } finally {
    await server.stop();
  }
}

function repo(extra: Partial<RepoOptions> = {}) {
  return buildRepo({ gun: GUN, now: new Date(), ...extra }).files;
}

describe('notaryTrustedTagResolver (copy source side, SPEC §7.8)', () => {
  it('answers the digest and length targets/releases signs, and names the role and server', async () => {
    const releaser = ecKey();
    const { result, server } = await resolve(
      repo({
        delegations: [
          {
            name: 'targets/releases',
            keys: [releaser],
            targets: { v1: signedManifest },
          },
        ],
        targets: { v1: otherManifest },
      }),
    );
    expect(result).toEqual({
      gun: GUN,
      server: server.url,
      tag: 'v1',
      digest: digestOf(signedManifest),
      length: signedManifest.length,
      role: 'targets/releases',
    });
  });

  it('falls back to the targets role when releases does not sign the tag', async () => {
    const { result } = await resolve(repo({ targets: { v1: signedManifest } }));
    expect(result).toMatchObject({
      digest: digestOf(signedManifest),
      role: 'targets',
    });
  });

  it('refuses a tag signed only by another signer (targets/bob), as docker does', async () => {
    const { result } = await resolve(
      repo({
        delegations: [
          {
            name: 'targets/bob',
            keys: [ecKey()],
            targets: { v1: signedManifest },
          },
        ],
      }),
    );
    expect(result).toBeInstanceOf(TrustError);
    expect((result as Error).message).toMatch(
      /^content trust for example\.com\/team\/app:v1 \(notary server http:\/\/127\.0\.0\.1:\d+\): example\.com\/team\/app: No valid trust data for v1 \(only signed by targets\/bob/,
    );
  });

  it('refuses an unsigned tag with "No valid trust data"', async () => {
    const { result } = await resolve(
      repo({ targets: { v1: signedManifest } }),
      'v2',
    );
    expect((result as TrustError).failure).toBe('not-found');
    expect((result as Error).message).toMatch(/No valid trust data for v2$/);
  });

  it('says, in docker words, that the server has no trust data for the repository', async () => {
    const { result, server } = await resolve(undefined);
    expect((result as TrustError).failure).toBe('missing');
    expect((result as Error).message).toBe(
      `remote trust data does not exist for ${GUN}: ${new URL(server.url).host} does not have trust data for ${GUN} (content trust is on for ${GUN}:v1; use --disable-content-trust to copy without it)`,
    );
  });

  it('refuses targets rewritten after signing (another digest for the tag)', async () => {
    const files = repo({
      targets: { v1: signedManifest },
      rewrite: {
        targets: (file) =>
          tamper(file, (f) => {
            const t = f.signed['targets'] as Record<
              string,
              { hashes: Record<string, string> }
            >;
            t['v1']!.hashes = {
              sha256: createHash('sha256')
                .update(otherManifest)
                .digest('base64'),
            };
          }),
      },
    });
    const { result } = await resolve(files);
    expect(result).toBeInstanceOf(TrustError);
    expect((result as TrustError).failure).toBe('signature');
    expect((result as Error).message).toMatch(
      /^content trust for example\.com\/team\/app:v1 \(notary server /,
    );
  });
});
