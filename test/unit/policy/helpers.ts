import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseNormalizedNamed,
  policyConfigurationIdentity,
  policyConfigurationNamespaces,
  withDefaultTag,
  type DockerReference,
} from '../../../src/reference/docker-reference.js';
import type {
  ImageReference,
  ImageTransport,
} from '../../../src/transports/types.js';
import {
  staticImage,
  type UnparsedImage,
} from '../../../src/policy/unparsed-image.js';

/**
 * Minimal in-test image references, so policy tests do not depend on the
 * transport modules: the policy engine only uses the reference's name,
 * scopes and docker reference.
 */
function fakeTransport(name: string): ImageTransport {
  return {
    name,
    parseReference: () => {
      throw new Error('not used');
    },
    validatePolicyConfigurationScope: () => undefined,
  };
}

function fakeReference(
  transport: string,
  within: string,
  docker: DockerReference | undefined,
  identity: string,
  namespaces: string[],
): ImageReference {
  return {
    transport: fakeTransport(transport),
    stringWithinTransport: () => within,
    dockerReference: () => docker,
    policyConfigurationIdentity: () => identity,
    policyConfigurationNamespaces: () => namespaces,
    newImageSource: () => Promise.reject(new Error('not used')),
    newImageDestination: () => Promise.reject(new Error('not used')),
  };
}

/** `docker://NAME` (default tag added as the docker transport does). */
export function dockerRef(name: string, transport = 'docker'): ImageReference {
  const ref = withDefaultTag(parseNormalizedNamed(name));
  return fakeReference(
    transport,
    `//${name}`,
    ref,
    policyConfigurationIdentity(ref),
    policyConfigurationNamespaces(ref),
  );
}

/** A `dir:` image known under an optional docker reference (as c/image tests use). */
export function dirRef(path: string, docker?: string): ImageReference {
  const namespaces: string[] = [];
  for (let p = path; p.lastIndexOf('/') > 0;) {
    p = p.slice(0, p.lastIndexOf('/'));
    namespaces.push(p);
  }
  return fakeReference(
    'dir',
    path,
    docker === undefined ? undefined : parseNormalizedNamed(docker),
    path,
    namespaces,
  );
}

/** An image over a fixture directory: manifest.json and signature-N, read now. */
export async function fixtureImage(
  dir: string,
  docker: string | undefined,
): Promise<UnparsedImage> {
  let manifest: { bytes: Buffer; mediaType: string } | Error;
  try {
    manifest = {
      bytes: await readFile(join(dir, 'manifest.json')),
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    };
  } catch (err) {
    manifest = err as Error;
  }
  const sigs: Buffer[] = [];
  for (let i = 1; ; i++) {
    try {
      sigs.push(await readFile(join(dir, `signature-${i}`)));
    } catch {
      break;
    }
  }
  return staticImage(dirRef(dir, docker), manifest, sigs, dir);
}
