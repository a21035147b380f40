import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyImage } from '../../src/copy/copy.js';
import { notaryTrustedTagResolver } from '../../src/notary/copy-trust.js';
import { parseImageName } from '../../src/transports/all.js';
import type { DockerSystemContext } from '../../src/transports/docker/docker-system-context.js';
import { makeDirImage, type MadeImage } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';
import {
  startMemoryRegistry,
  type MemoryRegistry,
} from '../unit/copy/memory-registry.js';
import { serveFakeRepo } from '../helpers/notary-tuf/fake-repo-server.js';
import { buildRepo, ecKey, tamper } from '../helpers/notary-tuf/fake-repo.js';

// Attack: whoever controls the notary server's storage (or the path to
// it) rewrites targets/releases so the tag names the attacker's manifest,
// without the releases key. The copy must refuse before touching the
// registry, not copy the attacker's digest.
describe('copy with content trust when targets/releases was rewritten without its key', () => {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  let registry: MemoryRegistry;
  let good: MadeImage;
  let evil: MadeImage;
  let images: string;

  beforeAll(async () => {
    registry = await startMemoryRegistry();
    images = await mkdtemp(join(tmpdir(), 'imgsign-dct-forged-'));
    good = await makeDirImage(join(images, 'good'));
    evil = await makeDirImage(join(images, 'evil'));
    for (const img of [good, evil]) {
      for (const b of [img.config, ...img.layers]) {
        registry.putBlob(await readFile(join(img.dir, b.digest.slice(7))));
      }
      registry.putManifest('team/app', img.manifest, img.mediaType);
    }
  });
  afterAll(async () => {
    await registry.stop();
    await dispatcher.close();
    await rm(images, { recursive: true, force: true });
  });

  it('is refused as a signature failure; the registry is never asked and nothing is written', async () => {
    const gun = `${registry.host}/team/app`;
    const { files } = buildRepo({
      gun,
      now: new Date(),
      delegations: [
        {
          name: 'targets/releases',
          keys: [ecKey()],
          targets: { v1: good.manifest },
        },
      ],
      rewrite: {
        'targets/releases': (file) =>
          tamper(file, (f) => {
            const t = f.signed['targets'] as Record<
              string,
              { length: number; hashes: Record<string, string> }
            >;
            t['v1'] = {
              length: evil.manifest.length,
              hashes: {
                sha256: createHash('sha256')
                  .update(evil.manifest)
                  .digest('base64'),
              },
            };
          }),
      },
    });
    const notary = await serveFakeRepo(gun, files);
    const out = join(await tempDir(), 'out');
    const sys: DockerSystemContext = {
      dispatcher,
      dockerTlsVerify: false,
      dockerTrustedTagResolver: notaryTrustedTagResolver({
        trustDir: await tempDir(),
        serverOverride: notary.url,
        insecureAllowHTTP: true,
      }),
    };
    try {
      const err = await copyImage({
        source: parseImageName(`docker://${gun}:v1`),
        destination: parseImageName(`dir:${out}`),
        sys,
      }).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('TRUST');
      expect((err as Error).message).toContain(
        `content trust for ${gun}:v1 (notary server ${notary.url})`,
      );
      expect(notary.requests.length).toBeGreaterThan(0);
    } finally {
      await notary.stop();
    }
    expect(registry.requests).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
