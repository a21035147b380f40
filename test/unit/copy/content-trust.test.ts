import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveTrustedSource } from '../../../src/copy/content-trust.js';
import { copyImage } from '../../../src/copy/copy.js';
import type { CopyOptions } from '../../../src/copy/types.js';
import { ImgsignError, TrustError } from '../../../src/errors.js';
import { PolicyContext } from '../../../src/policy/context.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { imageFromSource } from '../../../src/policy/unparsed-image.js';
import type {
  DockerSystemContext,
  DockerTrustedTagResolver,
  DockerTrustedTagSigner,
} from '../../../src/transports/docker/docker-system-context.js';
import type { SignatureStore } from '../../../src/signature-storage/store.js';
import { parseImageName } from '../../../src/transports/all.js';
import { transportString } from '../../../src/transports/types.js';
import { makeDirImage, type MadeImage } from '../../fixtures/make-images.js';
import { tempDir } from '../../helpers/paths.js';
import { startMemoryRegistry, type MemoryRegistry } from './memory-registry.js';

const dispatcher = new Agent({ keepAliveTimeout: 10 });
let registry: MemoryRegistry;
let signedImage: MadeImage;
let movedImage: MadeImage;
let imagesDir: string;

async function publish(img: MadeImage, tag?: string): Promise<void> {
  for (const b of [img.config, ...img.layers]) {
    registry.putBlob(
      await readFile(join(img.dir, b.digest.slice('sha256:'.length))),
    );
  }
  registry.putManifest('team/app', img.manifest, img.mediaType, tag);
}

beforeAll(async () => {
  registry = await startMemoryRegistry();
  const t = (imagesDir = await mkdtemp(join(tmpdir(), 'imgsign-dct-')));
  signedImage = await makeDirImage(join(t, 'signed'));
  movedImage = await makeDirImage(join(t, 'moved'));
  await publish(signedImage);
  // The registry's tag was moved to another, unsigned manifest.
  await publish(movedImage, 'v1');
});

afterAll(async () => {
  await registry.stop();
  await dispatcher.close();
  await rm(imagesDir, { recursive: true, force: true });
});

function sysWith(extra: Partial<DockerSystemContext>): DockerSystemContext {
  return { dispatcher, dockerTlsVerify: false, ...extra };
}

const resolvesTo =
  (digest: string, role = 'targets/releases'): DockerTrustedTagResolver =>
  ({ ref }) =>
    Promise.resolve({
      gun: `${ref.domain}/${ref.path}`,
      server: 'https://notary.test',
      tag: ref.tag ?? 'latest',
      digest,
      length: 1,
      role,
    });

function copy(
  from: string,
  to: string,
  sys: DockerSystemContext,
  extra: Partial<CopyOptions> = {},
) {
  return copyImage({
    source: parseImageName(from),
    destination: parseImageName(to),
    sys,
    ...extra,
  });
}

describe('source side: a trusted-tag resolver on the SystemContext', () => {
  it('copies the digest the resolver vouches for, not what the registry tag points to', async () => {
    const out = join(await tempDir(), 'out');
    const resolver = vi.fn(resolvesTo(signedImage.manifestDigest));
    const before = registry.requests.length;
    const r = await copy(
      `docker://${registry.host}/team/app:v1`,
      `dir:${out}`,
      sysWith({ dockerTrustedTagResolver: resolver }),
    );
    expect(resolver).toHaveBeenCalledOnce();
    expect(resolver.mock.calls[0]![0].ref).toMatchObject({
      domain: registry.host,
      path: 'team/app',
      tag: 'v1',
    });
    expect(await readFile(join(out, 'manifest.json'))).toEqual(
      signedImage.manifest,
    );
    expect(r.manifestDigest).toBe(signedImage.manifestDigest);
    expect(r.source).toBe(`docker://${registry.host}/team/app:v1`);
    expect(r.contentTrust?.source).toMatchObject({
      digest: signedImage.manifestDigest,
      role: 'targets/releases',
      tag: 'v1',
    });
    const asked = registry.requests.slice(before);
    expect(asked).not.toContain('GET /v2/team/app/manifests/v1');
    expect(asked).toContain(
      `GET /v2/team/app/manifests/${signedImage.manifestDigest}`,
    );
  });

  it('fails closed before the source is read when the resolver refuses', async () => {
    const out = join(await tempDir(), 'out');
    const before = registry.requests.length;
    await expect(
      copy(
        `docker://${registry.host}/team/app:v1`,
        `dir:${out}`,
        sysWith({
          dockerTrustedTagResolver: () =>
            Promise.reject(
              new TrustError(
                'not-found',
                'team/app: No valid trust data for v1',
              ),
            ),
        }),
      ),
    ).rejects.toThrow(/^team\/app: No valid trust data for v1$/);
    expect(registry.requests.slice(before)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('copies a digest reference as given, without asking the resolver', async () => {
    const out = join(await tempDir(), 'out');
    const resolver = vi.fn(resolvesTo(signedImage.manifestDigest));
    const r = await copy(
      `docker://${registry.host}/team/app@${movedImage.manifestDigest}`,
      `dir:${out}`,
      sysWith({ dockerTrustedTagResolver: resolver }),
    );
    expect(resolver).not.toHaveBeenCalled();
    expect(r.manifestDigest).toBe(movedImage.manifestDigest);
    expect(r.contentTrust).toBeUndefined();
  });

  it('copies the registry tag when no resolver is installed (content trust off)', async () => {
    const out = join(await tempDir(), 'out');
    const r = await copy(
      `docker://${registry.host}/team/app:v1`,
      `dir:${out}`,
      sysWith({}),
    );
    expect(r.manifestDigest).toBe(movedImage.manifestDigest);
    expect(r.contentTrust).toBeUndefined();
  });

  it('uses the source side context only (a resolver on the destination side is ignored)', async () => {
    const out = join(await tempDir(), 'out');
    const resolver = vi.fn(resolvesTo(signedImage.manifestDigest));
    const r = await copy(
      `docker://${registry.host}/team/app:v1`,
      `dir:${out}`,
      sysWith({}),
      {
        sourceSys: sysWith({}),
        destinationSys: sysWith({ dockerTrustedTagResolver: resolver }),
      },
    );
    expect(resolver).not.toHaveBeenCalled();
    expect(r.manifestDigest).toBe(movedImage.manifestDigest);
  });

  it('refuses a resolver answer that is not a sha256 digest', async () => {
    const options = {
      source: parseImageName(`docker://${registry.host}/team/app:v1`),
      destination: parseImageName('dir:/nonexistent'),
      sys: sysWith({ dockerTrustedTagResolver: resolvesTo('sha512:abcd') }),
    };
    await expect(resolveTrustedSource(options)).rejects.toMatchObject({
      code: 'TRUST',
      message: expect.stringMatching(/not a sha256 digest/) as unknown,
    });
  });

  it('leaves non-docker sources alone', async () => {
    const resolver = vi.fn(resolvesTo(signedImage.manifestDigest));
    const source = parseImageName(`dir:${signedImage.dir}`);
    const r = await resolveTrustedSource({
      source,
      destination: parseImageName('dir:/nonexistent'),
      sys: sysWith({ dockerTrustedTagResolver: resolver }),
    });
    expect(r.source).toBe(source);
    expect(resolver).not.toHaveBeenCalled();
  });

  it('pins the source to repo@digest', async () => {
    const r = await resolveTrustedSource({
      source: parseImageName(`docker://${registry.host}/team/app:v1`),
      destination: parseImageName('dir:/nonexistent'),
      sys: sysWith({
        dockerTrustedTagResolver: resolvesTo(signedImage.manifestDigest),
      }),
    });
    expect(transportString(r.source)).toBe(
      `docker://${registry.host}/team/app@${signedImage.manifestDigest}`,
    );
  });
});

describe('the policy hook of a source content trust resolved', () => {
  /** The hook the copy command installs: assertAllowed on what it is given. */
  function policyHook(docker: Record<string, unknown[]>) {
    const ctx = new PolicyContext(
      parsePolicy(
        JSON.stringify({
          default: [{ type: 'reject' }],
          transports: { docker },
        }),
        'policy.json',
      ),
    );
    const seen: string[] = [];
    const verifySource: CopyOptions['verifySource'] = async (src, _m, i) => {
      seen.push(transportString(src.reference));
      await ctx.assertAllowed(imageFromSource(src, undefined, i));
    };
    return { verifySource, seen };
  }

  it('judges the tag the user gave: a tag-scoped reject refuses the copy before any blob moves', async () => {
    const repo = `${registry.host}/team/app`;
    const hook = policyHook({
      [`${repo}:v1`]: [{ type: 'reject' }],
      [repo]: [{ type: 'insecureAcceptAnything' }],
    });
    const out = join(await tempDir(), 'out');
    const before = registry.requests.length;
    for (const dryRun of [false, true]) {
      await expect(
        copy(
          `docker://${repo}:v1`,
          `dir:${out}`,
          sysWith({
            dockerTrustedTagResolver: resolvesTo(signedImage.manifestDigest),
          }),
          { verifySource: hook.verifySource, dryRun },
        ),
      ).rejects.toMatchObject({
        code: 'POLICY_REQUIREMENT',
        message: `Running image docker://${repo}:v1 is rejected by policy: requirement 1 (reject): Running image docker://${repo}:v1 is rejected by policy.`,
      });
    }
    expect(hook.seen).toEqual([`docker://${repo}:v1`, `docker://${repo}:v1`]);
    const asked = registry.requests.slice(before);
    expect(asked.filter((r) => r.includes('/blobs/'))).toEqual([]);
    expect(asked).not.toContain('GET /v2/team/app/manifests/v1');
    expect(existsSync(out)).toBe(false);
  });

  it('still copies the pinned digest when the policy allows the tag', async () => {
    const repo = `${registry.host}/team/app`;
    const hook = policyHook({
      [`${repo}:v1`]: [{ type: 'insecureAcceptAnything' }],
    });
    const r = await copy(
      `docker://${repo}:v1`,
      `dir:${join(await tempDir(), 'out')}`,
      sysWith({
        dockerTrustedTagResolver: resolvesTo(signedImage.manifestDigest),
      }),
      { verifySource: hook.verifySource },
    );
    expect(hook.seen).toEqual([`docker://${repo}:v1`]);
    expect(r.manifestDigest).toBe(signedImage.manifestDigest);
  });

  it('without content trust the hook sees the source as given (unchanged)', async () => {
    const repo = `${registry.host}/team/app`;
    const hook = policyHook({
      [`${repo}@${movedImage.manifestDigest}`]: [
        { type: 'insecureAcceptAnything' },
      ],
      [`${repo}:v1`]: [{ type: 'insecureAcceptAnything' }],
    });
    const out = await tempDir();
    await copy(`docker://${repo}:v1`, `dir:${out}/a`, sysWith({}), {
      verifySource: hook.verifySource,
    });
    await copy(
      `docker://${repo}@${movedImage.manifestDigest}`,
      `dir:${out}/b`,
      sysWith({
        dockerTrustedTagResolver: resolvesTo(signedImage.manifestDigest),
      }),
      { verifySource: hook.verifySource },
    );
    expect(hook.seen).toEqual([
      `docker://${repo}:v1`,
      `docker://${repo}@${movedImage.manifestDigest}`,
    ]);
  });
});

describe('destination side: a trusted-tag signer on the SystemContext', () => {
  const fakeSigner =
    (seen: { pushedFirst?: boolean }): DockerTrustedTagSigner =>
    ({ ref, digest, length }) => {
      seen.pushedFirst = registry.manifests.has(`${ref.path}:${ref.tag}`);
      return Promise.resolve({
        gun: `${ref.domain}/${ref.path}`,
        server: 'https://notary.test',
        tag: ref.tag!,
        digest,
        length,
        roles: ['targets'],
      });
    };

  it('signs the pushed tag with the pushed manifest digest and size, after the push', async () => {
    const seen: { pushedFirst?: boolean } = {};
    const signer = vi.fn(fakeSigner(seen));
    const r = await copy(
      `dir:${signedImage.dir}`,
      `docker://${registry.host}/team/pushed:v2`,
      sysWith({ dockerTrustedTagSigner: signer }),
    );
    expect(signer).toHaveBeenCalledOnce();
    const call = signer.mock.calls[0]![0];
    expect(call.ref.tag).toBe('v2');
    expect(call.digest).toBe(signedImage.manifestDigest);
    expect(call.length).toBe(signedImage.manifest.length);
    expect(seen.pushedFirst).toBe(true);
    expect(r.contentTrust?.destination).toMatchObject({
      tag: 'v2',
      digest: signedImage.manifestDigest,
      length: signedImage.manifest.length,
      roles: ['targets'],
      signed: true,
    });
  });

  it('refuses a digest destination before anything is read or pushed', async () => {
    const signer = vi.fn(fakeSigner({}));
    const before = registry.requests.length;
    const err = await copy(
      `docker://${registry.host}/team/app:v1`,
      `docker://${registry.host}/team/other@${signedImage.manifestDigest}`,
      sysWith({ dockerTrustedTagSigner: signer }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImgsignError);
    expect((err as ImgsignError).code).toBe('USAGE');
    expect((err as Error).message).toMatch(
      /with content trust: a digest reference cannot be signed; give a tag, or use --disable-content-trust$/,
    );
    expect(registry.requests.slice(before)).toEqual([]);
    expect(signer).not.toHaveBeenCalled();
  });

  it('says the image was pushed but not signed when signing fails', async () => {
    const err = await copy(
      `dir:${movedImage.dir}`,
      `docker://${registry.host}/team/failing:v1`,
      sysWith({
        dockerTrustedTagSigner: () =>
          Promise.reject(new TrustError('signature', 'no signing keys')),
      }),
    ).catch((e: unknown) => e);
    expect((err as ImgsignError).code).toBe('TRUST');
    expect((err as Error).message).toBe(
      `docker://${registry.host}/team/failing:v1 was pushed (${movedImage.manifestDigest}) but NOT signed for content trust: no signing keys`,
    );
    expect(registry.manifests.has('team/failing:v1')).toBe(true);
  });

  it('--dry-run reports what would be resolved and signed, and signs nothing', async () => {
    const signer = vi.fn(fakeSigner({}));
    const resolver = vi.fn(resolvesTo(signedImage.manifestDigest));
    const r = await copy(
      `docker://${registry.host}/team/app:v1`,
      `docker://${registry.host}/team/dry:v1`,
      sysWith({
        dockerTrustedTagResolver: resolver,
        dockerTrustedTagSigner: signer,
      }),
      { dryRun: true },
    );
    expect(signer).not.toHaveBeenCalled();
    expect(registry.manifests.has('team/dry:v1')).toBe(false);
    expect(r.contentTrust).toEqual({
      source: expect.objectContaining({
        digest: signedImage.manifestDigest,
      }) as unknown,
      destination: {
        gun: `${registry.host}/team/dry`,
        tag: 'v1',
        digest: signedImage.manifestDigest,
        length: signedImage.manifest.length,
        signed: false,
      },
    });
  });

  it('works alongside simple signing (--sign-by): both the signature and the Notary signing happen', async () => {
    const stored: { digest: string; sigs: Buffer[] }[] = [];
    const store: SignatureStore = {
      describe: () => 'memory store',
      read: () => Promise.resolve([]),
      add: (_ref, digest, sigs) => {
        stored.push({ digest, sigs });
        return Promise.resolve(sigs.map((_s, i) => `memory:${i}`));
      },
    };
    const signer = vi.fn(fakeSigner({}));
    const r = await copy(
      `dir:${signedImage.dir}`,
      `docker://${registry.host}/team/both:v1`,
      sysWith({
        dockerTrustedTagSigner: signer,
        dockerSignatureStoreResolver: () => Promise.resolve(store),
      }),
      {
        signers: [
          {
            sign: (_m, digest) => Promise.resolve(Buffer.from(`sig ${digest}`)),
          },
        ],
      },
    );
    expect(stored).toEqual([
      {
        digest: signedImage.manifestDigest,
        sigs: [Buffer.from(`sig ${signedImage.manifestDigest}`)],
      },
    ]);
    expect(signer).toHaveBeenCalledOnce();
    expect(r.signaturesCreated).toBe(1);
    expect(r.contentTrust?.destination?.signed).toBe(true);
  });

  it('does not sign non-docker destinations', async () => {
    const signer = vi.fn(fakeSigner({}));
    const r = await copy(
      `dir:${signedImage.dir}`,
      `dir:${join(await tempDir(), 'out')}`,
      sysWith({ dockerTrustedTagSigner: signer }),
    );
    expect(signer).not.toHaveBeenCalled();
    expect(r.contentTrust).toBeUndefined();
  });
});
