/**
 * Hermetic set-up for the copy content trust attacks that need hostile
 * trust data: an in-memory registry holding a "good" and an "evil" image
 * of `team/app`, and a fake notary server serving a generated repository
 * (test/unit/notary/tuf/fake-repo.ts) for `<registry host>/team/app`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { copyImage } from '../../src/copy/copy.js';
import type { CopyResult } from '../../src/copy/types.js';
import { notaryTrustedTagResolver } from '../../src/notary/copy-trust.js';
import { parseImageName } from '../../src/transports/all.js';
import type { DockerSystemContext } from '../../src/transports/docker/docker-system-context.js';
import { makeDirImage, type MadeImage } from '../fixtures/make-images.js';
import {
  startMemoryRegistry,
  type MemoryRegistry,
} from '../unit/copy/memory-registry.js';
import { serveFakeRepo } from '../helpers/notary-tuf/fake-repo-server.js';

export interface HostileTrustEnv {
  registry: MemoryRegistry;
  gun: string;
  good: MadeImage;
  evil: MadeImage;
  /** Copy `<gun>:<tag>` to `dir:out` with a resolver reading `files` from a fake server. */
  copyWithTrust(o: {
    files: Map<string, Buffer>;
    trustDir: string;
    out: string;
    tag?: string;
  }): Promise<{ result: CopyResult | Error; notaryURL: string }>;
  stop(): Promise<void>;
}

export async function startHostileTrustEnv(): Promise<HostileTrustEnv> {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  const registry = await startMemoryRegistry();
  const images = await mkdtemp(join(tmpdir(), 'imgsign-dct-hostile-'));
  const good = await makeDirImage(join(images, 'good'));
  const evil = await makeDirImage(join(images, 'evil'));
  for (const img of [good, evil]) {
    for (const b of [img.config, ...img.layers]) {
      registry.putBlob(await readFile(join(img.dir, b.digest.slice(7))));
    }
    registry.putManifest('team/app', img.manifest, img.mediaType);
  }
  const gun = `${registry.host}/team/app`;
  return {
    registry,
    gun,
    good,
    evil,
    async copyWithTrust(o) {
      const notary = await serveFakeRepo(gun, o.files);
      const sys: DockerSystemContext = {
        dispatcher,
        dockerTlsVerify: false,
        dockerTrustedTagResolver: notaryTrustedTagResolver({
          trustDir: o.trustDir,
          serverOverride: notary.url,
          insecureAllowHTTP: true,
        }),
      };
      try {
        const result = await copyImage({
          source: parseImageName(`docker://${gun}:${o.tag ?? 'v1'}`),
          destination: parseImageName(`dir:${o.out}`),
          sys,
        }).catch((e: unknown) => e as Error);
        return { result, notaryURL: notary.url };
      } finally {
        await notary.stop();
      }
    },
    async stop() {
      await registry.stop();
      await dispatcher.close();
      await rm(images, { recursive: true, force: true });
    },
  };
}
