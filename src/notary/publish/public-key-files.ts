/**
 * Signer names and signer public keys as `docker trust signer add` takes
 * them (SPEC §7.11): NAME `^[a-z0-9][a-z0-9_-]*$` and not `releases`;
 * each key file (≤ 1 MiB) a PEM `CERTIFICATE` (checked: a leaf, not
 * expired, no SHA-1, RSA ≥ 2048; becomes an `ecdsa-x509`/`rsa-x509` key of
 * that one certificate) or `PUBLIC KEY` (ECDSA or RSA ≥ 2048).
 */
import { createPublicKey } from 'node:crypto';
import { describeError, ImgsignError } from '../../errors.js';
import { readBoundedFile } from '../../keys/files.js';
import { decodePem, encodePem } from '../keystore/pem.js';
import {
  MIN_RSA_BITS,
  parseTufKey,
  tufKeyFromCertificatePEM,
  tufKeyFromPublicKey,
  type PublicTufKey,
  type TufKeyJSON,
} from '../tuf/keys.js';
import { certificateInfo, SHA1_SIGNATURE_OIDS } from '../tuf/x509-info.js';

const SIGNER_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const MAX_PUBLIC_KEY_FILE = 1024 * 1024;

/** docker's rules for a signer name (the delegation is `targets/NAME`). */
export function validateSignerName(name: string): void {
  if (!SIGNER_NAME.test(name)) {
    throw new ImgsignError(
      'USAGE',
      `signer name "${name}" must start with lowercase alphanumeric characters and can include "-" or "_" after the first character`,
    );
  }
  if (name === 'releases') {
    throw new ImgsignError(
      'USAGE',
      'releases is a reserved keyword, use a different signer name',
    );
  }
}

/**
 * notary's ValidateCertificate for a signer certificate: inside its
 * validity window now, not SHA-1 signed, RSA ≥ 2048 bits. Unlike root
 * certificates, CN and the CA flag do not matter.
 */
function signerCertificateProblem(
  key: PublicTufKey,
  now: Date,
): string | undefined {
  const cert = key.certificates?.[0];
  if (!cert) return 'no certificate';
  let info;
  try {
    info = certificateInfo(cert);
  } catch (err) {
    return `unreadable certificate (${describeError(err)})`;
  }
  const cn = info.commonName;
  if (now.getTime() < info.notBefore.getTime()) {
    return `certificate ${cn}: not valid before ${info.notBefore.toISOString()}`;
  }
  if (now.getTime() > info.notAfter.getTime()) {
    return `certificate ${cn}: expired at ${info.notAfter.toISOString()}`;
  }
  if (SHA1_SIGNATURE_OIDS.has(info.signatureAlgorithm)) {
    return `certificate ${cn}: SHA-1 signature algorithm`;
  }
  return undefined;
}

/** Key JSON for one signer public key file's text; `what` names it in errors. */
export function parseSignerPublicKey(
  untrustedText: string,
  what: string,
  now: Date,
): TufKeyJSON {
  const block = decodePem(untrustedText, what);
  if (!block) {
    throw new ImgsignError('KEY_INVALID', `${what}: no PEM block found`);
  }
  let json: TufKeyJSON;
  if (block.type === 'CERTIFICATE') {
    // Re-encoded as Go's pem.Encode writes it: the key ID hashes these bytes.
    const pem = encodePem({
      type: 'CERTIFICATE',
      headers: {},
      bytes: block.bytes,
    });
    try {
      json = tufKeyFromCertificatePEM(pem);
    } catch (err) {
      throw new ImgsignError('KEY_INVALID', `${what}: ${describeError(err)}`, {
        cause: err,
      });
    }
    const parsed = parseTufKey(json, what);
    const problem = parsed.problem ?? signerCertificateProblem(parsed, now);
    if (problem !== undefined) {
      throw new ImgsignError('KEY_INVALID', `${what}: ${problem}`);
    }
    return json;
  }
  if (block.type !== 'PUBLIC KEY') {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: unsupported PEM block type "${block.type}", expected CERTIFICATE or PUBLIC KEY`,
    );
  }
  let key;
  try {
    key = createPublicKey({ key: block.bytes, format: 'der', type: 'spki' });
  } catch (err) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: not a DER SubjectPublicKeyInfo (${describeError(err)})`,
      { cause: err },
    );
  }
  const type = key.asymmetricKeyType;
  if (type !== 'ec' && type !== 'rsa') {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: unsupported public key type ${String(type)}; use an ECDSA or RSA key`,
    );
  }
  json = tufKeyFromPublicKey(key);
  const parsed = parseTufKey(json, what);
  if (parsed.problem !== undefined) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: ${parsed.problem} (RSA keys need at least ${MIN_RSA_BITS} bits)`,
    );
  }
  return json;
}

/** Read and parse each `--key` file. */
export async function readSignerPublicKeys(
  paths: readonly string[],
  now: Date,
): Promise<TufKeyJSON[]> {
  if (paths.length === 0) {
    throw new ImgsignError(
      'USAGE',
      'path to a public key must be provided using the `--key` flag',
    );
  }
  const out: TufKeyJSON[] = [];
  for (const path of paths) {
    const bytes = await readBoundedFile(
      path,
      MAX_PUBLIC_KEY_FILE,
      'public key file',
    );
    out.push(
      parseSignerPublicKey(
        bytes.toString('utf8'),
        `public key file ${path}`,
        now,
      ),
    );
  }
  return out;
}
