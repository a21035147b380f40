/**
 * The Notary side of Docker Content Trust in `imgsign copy`: the
 * trusted-tag hooks of transports/docker/docker-system-context.ts.
 *
 * - notaryTrustedTagResolver: `docker pull` with DCT (SPEC §7.8): update
 *   and verify the repository's trust data and answer the digest that
 *   `targets/releases` or `targets` signs for the tag. Every failure is
 *   thrown with the image and the notary server named; never a fallback.
 * - notaryTrustedTagSigner: `docker push` with DCT: the `trust sign` flow
 *   (publish/docker-sign.ts signTag, SPEC §7.11) on the digest and size
 *   just pushed; a repository without trust data is initialized as docker
 *   push does it (root + targets keys, the tag signed in `targets`).
 */
import { describeError, ImgsignError, TrustError } from '../errors.js';
import {
  referenceString,
  type DockerReference,
} from '../reference/docker-reference.js';
import type {
  DockerSystemContext,
  DockerTrustedTagResolver,
  DockerTrustedTagSigner,
} from '../transports/docker/docker-system-context.js';
import type { PublishContext } from './publish/context.js';
import { signTag, tagTarget } from './publish/docker-sign.js';
import { initializeWithLocalRoot } from './publish/initialize.js';
import { loadForPublish, publishState } from './publish/publish.js';
import {
  withPublishContext,
  type TrustPublishOptions,
} from './publish/open.js';
import { gunOf, notaryServerURL, resolveTrustedTag } from './repository.js';

export interface CopyTrustOptions {
  /** `$DOCKER_CONFIG/trust`: the metadata cache (and, to sign, the private keys). */
  trustDir: string;
  /** DOCKER_CONTENT_TRUST_SERVER, if set. */
  serverOverride?: string;
  /** Skipped delegations, cached-timestamp fallback. */
  warn?: (message: string) => void;
  /** TESTS ONLY: an http:// notary server. */
  insecureAllowHTTP?: boolean;
}

function serverOf(ref: DockerReference, o: CopyTrustOptions): string {
  if (o.insecureAllowHTTP && o.serverOverride !== undefined) {
    return o.serverOverride;
  }
  return notaryServerURL(ref.domain, o.serverOverride);
}

/** docker's wording where SPEC gives it, with the image and the server named. */
function resolutionFailure(
  err: unknown,
  image: string,
  gun: string,
  server: string,
): Error {
  if (err instanceof TrustError && err.failure === 'missing') {
    return new TrustError(
      'missing',
      `remote trust data does not exist for ${gun}: ${new URL(server).host} does not have trust data for ${gun} (content trust is on for ${image}; use --disable-content-trust to copy without it)`,
      { cause: err },
    );
  }
  if (err instanceof ImgsignError) {
    if (err.code === 'INCONCLUSIVE' || err.code === 'REGISTRY_HTTP') {
      return err.withContext(
        `content trust for ${image}: error contacting notary server ${server}`,
      );
    }
    return err.withContext(
      `content trust for ${image} (notary server ${server})`,
    );
  }
  return new ImgsignError(
    'INCONCLUSIVE',
    `content trust for ${image}: error contacting notary server ${server}: ${describeError(err)}`,
    { cause: err },
  );
}

/** The source-side hook: the tag's signed digest, verified, or a thrown refusal. */
export function notaryTrustedTagResolver(
  o: CopyTrustOptions,
): DockerTrustedTagResolver {
  return async ({ ref, sys }) => {
    const image = referenceString(ref);
    const gun = gunOf(ref);
    const server = serverOf(ref, o);
    const credentials = (sys as DockerSystemContext).dockerCredentials;
    try {
      const r = await resolveTrustedTag({
        reference: ref,
        trustDir: o.trustDir,
        sys,
        ...(o.serverOverride !== undefined
          ? { serverOverride: o.serverOverride }
          : {}),
        ...(o.insecureAllowHTTP ? { insecureAllowHTTP: true } : {}),
        ...(credentials ? { credentials } : {}),
        ...(o.warn ? { warn: o.warn } : {}),
        tag: ref.tag ?? 'latest',
      });
      return {
        gun: r.gun,
        server,
        tag: r.tag,
        digest: r.digest,
        length: r.length,
        role: r.role,
      };
    } catch (err) {
      throw resolutionFailure(err, image, gun, server);
    }
  };
}

/**
 * `docker push` with DCT on a repository without trust data: initialize
 * it (root key reused or created, new targets key, server-held snapshot
 * and timestamp) and sign the tag directly in `targets` (no signer
 * delegation, unlike `trust sign`), in one publish.
 */
async function initializeAndSign(
  ctx: PublishContext,
  o: {
    tag: string;
    digest: string;
    length: number;
    out: (line: string) => void;
  },
): Promise<{
  gun: string;
  tag: string;
  digest: string;
  length: number;
  roles: string[];
}> {
  const { hex, meta } = tagTarget(o.digest, o.length);
  const state = await initializeWithLocalRoot(ctx);
  state.addTarget('targets', o.tag, meta);
  o.out('Signing and pushing trust metadata');
  o.out(`Finished initializing "${ctx.gun}"`);
  try {
    await publishState(state, ctx);
  } catch (err) {
    if (err instanceof ImgsignError) {
      throw err.withContext(`failed to sign ${ctx.gun}:${o.tag}`);
    }
    throw err;
  }
  o.out(`Successfully signed ${ctx.gun}:${o.tag}`);
  return {
    gun: ctx.gun,
    tag: o.tag,
    digest: hex,
    length: o.length,
    roles: ['targets'],
  };
}

/**
 * The destination-side hook: sign the pushed tag. Keys and passphrases as
 * `trust sign` (`o.passphrase`); progress lines go to `o.out`. `o.sys` is
 * replaced by the destination side's SystemContext.
 */
export function notaryTrustedTagSigner(
  o: Omit<TrustPublishOptions, 'sys'>,
): DockerTrustedTagSigner {
  return async ({ ref, digest, length, sys }) => {
    const tag = ref.tag;
    if (tag === undefined || ref.digest !== undefined) {
      throw new ImgsignError(
        'USAGE',
        'cannot use a digest reference for IMAGE:TAG',
      );
    }
    const image = referenceString(ref);
    const server = serverOf(ref, o);
    const credentials = (sys as DockerSystemContext).dockerCredentials;
    const publish = { ...o, sys, ...(credentials ? { credentials } : {}) };
    const r = await withPublishContext(ref, publish, async (ctx) => {
      const loaded = await loadForPublish(ctx);
      if (!loaded) {
        return initializeAndSign(ctx, { tag, digest, length, out: o.out });
      }
      return signTag(ctx, { image, tag, digest, length, out: o.out }, loaded);
    });
    return {
      gun: r.gun,
      server,
      tag: r.tag,
      digest: `sha256:${r.digest}`,
      length: r.length,
      roles: r.roles,
    };
  };
}
