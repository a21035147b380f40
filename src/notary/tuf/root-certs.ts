/**
 * Root validation as notary's trustpinning.ValidateRoot does it without
 * pinning (what docker uses, SPEC §7.6 step 2): the root role's keys are
 * certificates, and only "usable" leaves count — CN equal to the GUN (or a
 * CN ending in `*` matching as a prefix), not a CA, sane validity window,
 * not expired (NotBefore may be up to one day ahead), no SHA-1 signature,
 * RSA ≥ 2048 bits. The root must be signed by a threshold of those leaves;
 * on rotation, also by a threshold (the previous root's) of the previous
 * root's usable leaves, whose expiry is NOT checked.
 */
import { TrustError } from '../../errors.js';
import { MIN_RSA_BITS, type PublicTufKey } from './keys.js';
import type { Root, SignedFile } from './metadata.js';
import { verifyRoleSignatures, type RoleKeySet } from './verify-role.js';
import { certificateInfo, SHA1_SIGNATURE_OIDS } from './x509-info.js';

const DAY_MS = 86_400_000;

export interface CertificateCheckOptions {
  /** Check the validity window against `now`; omitted = no expiry check. */
  now?: Date;
}

/** Why a certificate cannot be a root (or signer) certificate, or undefined if it can. */
export function certificateProblem(
  key: PublicTufKey,
  options: CertificateCheckOptions,
): string | undefined {
  const certs = key.certificates ?? [];
  const leaves = certs.filter((c) => !c.ca);
  if (certs.length === 0) return 'not a certificate key';
  if (certs[0]!.ca) return 'the first certificate is a CA, not a leaf';
  if (leaves.length !== 1)
    return 'the bundle must hold exactly one leaf certificate';
  let info;
  try {
    info = certificateInfo(certs[0]!);
  } catch (err) {
    return `unreadable certificate (${err instanceof Error ? err.message : String(err)})`;
  }
  const cn = info.commonName;
  if (info.notBefore.getTime() > info.notAfter.getTime()) {
    return `certificate ${cn}: validity window is invalid`;
  }
  if (SHA1_SIGNATURE_OIDS.has(info.signatureAlgorithm)) {
    return `certificate ${cn}: SHA-1 signature algorithm`;
  }
  const pub = info.cert.publicKey;
  if (pub.asymmetricKeyType === 'rsa') {
    const bits = pub.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      return `certificate ${cn}: RSA key of ${bits} bits`;
  }
  if (options.now) {
    const now = options.now.getTime();
    if (info.notBefore.getTime() > now + DAY_MS) {
      return `certificate ${cn}: not valid before ${info.notBefore.toISOString()}`;
    }
    if (now > info.notAfter.getTime()) {
      return `certificate ${cn}: expired at ${info.notAfter.toISOString()}`;
    }
  }
  return undefined;
}

function cnMatches(cn: string, gun: string): boolean {
  if (cn === gun) return true;
  return cn.endsWith('*') && gun.startsWith(cn.slice(0, -1));
}

export interface UsableLeaves {
  keys: Map<string, PublicTufKey>;
  /** Why each rejected root key was rejected, by key ID. */
  rejected: Map<string, string>;
}

/** The root role's keys whose leaf certificate is usable for `gun`. */
export function usableRootKeys(
  root: Root,
  gun: string,
  options: CertificateCheckOptions,
): UsableLeaves {
  const keys = new Map<string, PublicTufKey>();
  const rejected = new Map<string, string>();
  for (const id of root.roles.root.keyids) {
    const key = root.keys.get(id);
    if (!key) continue;
    let problem = certificateProblem(key, options);
    if (problem === undefined) {
      const cn = certificateInfo(key.certificates![0]!).commonName;
      if (!cnMatches(cn, gun))
        problem = `certificate CN "${cn}" is not the GUN`;
    }
    if (problem === undefined) keys.set(id, key);
    else rejected.set(id, problem);
  }
  return { keys, rejected };
}

export interface ValidateRootOptions {
  gun: string;
  now: Date;
  /** The trusted root this one replaces (rotation), if any. */
  previous?: Root;
}

/**
 * Validate a downloaded root against its own certificates and, on
 * rotation, against the previous root. Throws TrustError
 * ('root-certificate', 'rotation' or 'signature'). Version and expiry are
 * separate checks (verify-role.ts).
 */
export function validateRoot(
  file: SignedFile<Root>,
  options: ValidateRootOptions,
): void {
  const { gun, now, previous } = options;
  const where = `${gun} root.json version ${file.signed.version}`;
  const own = usableRootKeys(file.signed, gun, { now });
  if (own.keys.size === 0) {
    const why =
      [...own.rejected.values()].join('; ') || 'the root role has no keys';
    throw new TrustError(
      'root-certificate',
      `${where}: no valid root certificate (${why})`,
    );
  }
  if (previous) {
    const trusted = usableRootKeys(previous, gun, {});
    const set: RoleKeySet = {
      name: 'previous root',
      keys: trusted.keys,
      threshold: previous.roles.root.threshold,
    };
    try {
      if (trusted.keys.size === 0) {
        throw new TrustError(
          'rotation',
          'no usable certificates in the trusted root',
        );
      }
      verifyRoleSignatures(file, set);
    } catch (err) {
      if (!(err instanceof TrustError)) throw err;
      throw new TrustError(
        'rotation',
        `${where}: not signed by the trusted root's keys (version ${previous.version}): ${err.message}`,
        { cause: err },
      );
    }
  }
  verifyRoleSignatures(file, {
    name: 'root',
    keys: own.keys,
    threshold: file.signed.roles.root.threshold,
  });
}
