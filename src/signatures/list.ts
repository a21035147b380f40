import type { SystemContext } from '../system-context.js';
import type { ImageReference } from '../transports/types.js';
import { readImageSignatures } from './image-signatures.js';
import { inspectSignature, type SignatureReport } from './inspect-signature.js';
import { withGnuPGKeysFor, type KnownKey } from './known-keys.js';

export interface SignatureListing {
  image: string;
  digest: string;
  storeKind: string;
  /** The store that was read (URL or path). */
  store: string;
  signatures: SignatureReport[];
}

/** Every signature stored for `ref`'s current manifest, each parsed and, when its key is known, verified. */
export async function listSignatures(
  ref: ImageReference,
  keys: KnownKey[],
  sys: SystemContext,
): Promise<SignatureListing> {
  const found = await readImageSignatures(ref, sys);
  const all = await withGnuPGKeysFor(keys, found.signatures, sys);
  const signatures: SignatureReport[] = [];
  for (const [i, sig] of found.signatures.entries()) {
    signatures.push(await inspectSignature(sig, i + 1, found.manifest, all));
  }
  return {
    image: found.image,
    digest: found.digest,
    storeKind: found.storeKind,
    store: found.store,
    signatures,
  };
}
