import { InvalidSignatureError } from '../../errors.js';
import type { UntrustedSignatureInfo } from '../mechanism.js';
import { parseSignedMessage } from './packets.js';

/**
 * The payload and claimed signer of a signed message WITHOUT verifying it
 * (`untrusted-signature-dump-without-verification`). WARNING: nothing
 * returned here may be used for a trust decision.
 */
export function untrustedSignatureContents(
  untrustedBlob: Buffer,
): UntrustedSignatureInfo {
  const parsed = parseSignedMessage(untrustedBlob);
  if (parsed.literal === undefined) {
    throw new InvalidSignatureError('not a signed message: no literal data');
  }
  const keyID =
    parsed.onePassKeyIDs[0] ?? parsed.signatures[0]?.issuerKeyID ?? '';
  if (parsed.signatures.length === 0 || keyID === '') {
    throw new InvalidSignatureError('not a signed message: no signature');
  }
  return {
    contents: Buffer.from(parsed.literal.data),
    shortKeyIdentifier: keyID,
  };
}
