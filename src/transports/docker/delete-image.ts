import { ImgsignError } from '../../errors.js';
import { referenceName } from '../../reference/docker-reference.js';
import type { SystemContext } from '../../system-context.js';
import { registryClientFor } from './docker-system-context.js';
import { MANIFEST_ACCEPT, computeManifestDigest } from './docker-source.js';
import type { DockerImageReference } from './docker-transport.js';
import { registryError } from './registry-errors.js';

/**
 * Delete an image from a registry (skopeo delete): resolve a tag to the
 * manifest digest (computed from the bytes), then DELETE the manifest by
 * digest. Every tag pointing at that manifest goes with it.
 */
export async function deleteImage(
  image: DockerImageReference,
  sys: SystemContext,
): Promise<{ digest: string }> {
  const ref = image.ref;
  const client = registryClientFor(ref, sys);
  const name = referenceName(ref);
  const actions: ('pull' | 'push' | 'delete')[] = ['pull', 'push', 'delete'];
  let digest = ref.digest;
  if (digest === undefined) {
    const res = await client.request({
      method: 'GET',
      path: `/v2/${ref.path}/manifests/${ref.tag ?? 'latest'}`,
      repository: ref.path,
      actions,
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status !== 200) {
      throw registryError(
        res,
        `reading manifest ${name}:${ref.tag ?? 'latest'}`,
      );
    }
    digest = computeManifestDigest(res.body);
  }
  const res = await client.request({
    method: 'DELETE',
    path: `/v2/${ref.path}/manifests/${digest}`,
    repository: ref.path,
    actions,
  });
  if (res.status === 405) {
    throw new ImgsignError(
      'UNSUPPORTED',
      `deleting ${name}@${digest}: the registry does not allow deletes (distribution needs storage.delete.enabled)`,
    );
  }
  if (res.status !== 202 && res.status !== 200) {
    throw registryError(res, `deleting ${name}@${digest}`);
  }
  return { digest };
}
