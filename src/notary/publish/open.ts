/**
 * The image-level entry points of the `trust sign|revoke|signer` commands:
 * parse the reference as docker does, open its notary repository
 * (repository.ts: GUN, server, TLS, credentials, file trust cache) and the
 * key store of the trust directory, run one flow, close everything.
 */
import { lookupCredentials } from '../../auth/credentials.js';
import type { Credentials } from '../../auth/types.js';
import { describeError, ImgsignError } from '../../errors.js';
import {
  parseNormalizedNamed,
  type DockerReference,
} from '../../reference/docker-reference.js';
import type { SystemContext } from '../../system-context.js';
import { DockerImageSource } from '../../transports/docker/docker-source.js';
import { newDockerImageReference } from '../../transports/docker/docker-transport.js';
import { closeRegistryClients } from '../../transports/docker/registry-client.js';
import type { PassphraseRetriever } from '../keystore/passphrase.js';
import { TrustKeyStore } from '../keystore/store.js';
import { openNotaryRepository, type NotaryRepository } from '../repository.js';
import type { PublishContext } from './context.js';
import { revokeTrust, type RevokeResult } from './docker-revoke.js';
import { signTag, type SignTagResult } from './docker-sign.js';
import {
  addSigner,
  removeSigner,
  type AddSignerResult,
  type RemoveSignerOptions,
  type RemoveSignerResult,
} from './docker-signers.js';
import { LocalSigningKeys } from './signing-keys.js';
import type { TufKeyJSON } from '../tuf/keys.js';

export interface TrustPublishOptions {
  /** `$DOCKER_CONFIG/trust`: private keys and the metadata cache. */
  trustDir: string;
  sys: SystemContext;
  /** DOCKER_CONTENT_TRUST_SERVER, if set. */
  serverOverride?: string;
  /** Decrypts keys and encrypts the keys a command creates. */
  passphrase: PassphraseRetriever;
  /** Lines for the user (docker prints them on stdout). */
  out: (line: string) => void;
  warn?: (message: string) => void;
  /** TESTS ONLY: an http:// notary server. */
  insecureAllowHTTP?: boolean;
  /** Registry credentials for the server's token auth (default: the auth files of `sys`). */
  credentials?: Credentials;
}

/** Run `use` with a publish context for `reference`'s repository. */
export async function withPublishContext<T>(
  reference: DockerReference,
  o: TrustPublishOptions,
  use: (ctx: PublishContext, repo: NotaryRepository) => Promise<T>,
): Promise<T> {
  const repo = await openNotaryRepository({
    reference,
    trustDir: o.trustDir,
    sys: o.sys,
    ...(o.serverOverride !== undefined
      ? { serverOverride: o.serverOverride }
      : {}),
    ...(o.insecureAllowHTTP ? { insecureAllowHTTP: true } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  try {
    const store = await TrustKeyStore.open(o.trustDir);
    const ctx: PublishContext = {
      gun: repo.gun,
      server: repo.store,
      cache: repo.cache,
      keys: new LocalSigningKeys(store, o.passphrase),
      now: o.sys.now?.() ?? new Date(),
      ...(o.warn ? { warn: o.warn } : {}),
    };
    return await use(ctx, repo);
  } finally {
    await repo.close();
  }
}

/** docker's reading of IMAGE[:TAG]: a digest (even with a tag) is refused. */
export function parseTrustImage(
  image: string,
  requireTag: boolean,
): { ref: DockerReference; tag: string | undefined } {
  const ref = parseNormalizedNamed(image);
  if (ref.digest !== undefined) {
    throw new ImgsignError(
      'USAGE',
      'cannot use a digest reference for IMAGE:TAG',
    );
  }
  if (requireTag && ref.tag === undefined) {
    throw new ImgsignError('USAGE', `no tag specified for ${image}`);
  }
  return { ref, tag: ref.tag };
}

/** The manifest digest and size of `ref`'s tag, from its registry. */
export async function registryTarget(
  ref: DockerReference,
  sys: SystemContext,
): Promise<{ digest: string; length: number }> {
  const source = new DockerImageSource(newDockerImageReference(ref), sys);
  try {
    const { bytes } = await source.getManifest();
    return { digest: await source.manifestDigest(), length: bytes.length };
  } catch (err) {
    if (err instanceof ImgsignError) {
      throw err.withContext('reading the image to sign from its registry');
    }
    throw new ImgsignError(
      'INCONCLUSIVE',
      `reading the image to sign from its registry: ${describeError(err)}`,
      { cause: err },
    );
  } finally {
    await source.close();
  }
}

/** `trust sign IMAGE:TAG`: the tag's manifest as the registry serves it. */
export async function signImage(
  image: string,
  o: TrustPublishOptions,
): Promise<SignTagResult> {
  const { ref, tag } = parseTrustImage(image, true);
  try {
    const target = await registryTarget(ref, o.sys);
    const creds = await lookupCredentials(o.sys, ref.domain, ref.path);
    return await withPublishContext(ref, o, (ctx) =>
      signTag(ctx, {
        image,
        tag: tag!,
        ...target,
        ...(creds?.username ? { username: creds.username } : {}),
        out: o.out,
      }),
    );
  } finally {
    await closeRegistryClients(o.sys);
  }
}

/** `trust revoke IMAGE[:TAG]` (confirmation for a whole repository is the caller's). */
export async function revokeImage(
  image: string,
  o: TrustPublishOptions,
): Promise<RevokeResult> {
  const { ref, tag } = parseTrustImage(image, false);
  const result = await withPublishContext(ref, o, (ctx) =>
    revokeTrust(ctx, { image, ...(tag !== undefined ? { tag } : {}) }),
  );
  o.out(`Successfully deleted signature for ${image}`);
  return result;
}

/** `trust signer add` for one repository. */
export async function addSignerToRepository(
  repository: string,
  signer: string,
  keys: readonly TufKeyJSON[],
  o: TrustPublishOptions,
): Promise<AddSignerResult> {
  const ref = parseNormalizedNamed(repository);
  return withPublishContext(ref, o, (ctx) =>
    addSigner(ctx, { signer, keys, repository, out: o.out }),
  );
}

/** `trust signer remove` for one repository. */
export async function removeSignerFromRepository(
  repository: string,
  signer: string,
  options: Pick<RemoveSignerOptions, 'confirm' | 'force'>,
  o: TrustPublishOptions,
): Promise<RemoveSignerResult> {
  const ref = parseNormalizedNamed(repository);
  return withPublishContext(ref, o, (ctx) =>
    removeSigner(ctx, { signer, repository, ...options }),
  );
}
