/**
 * policy.json, as containers-policy.json(5) and containers/image
 * `signature/policy_types.go` define it (SPEC §3). Values of these types only
 * come out of parse.ts, which has already enforced every structural rule, so
 * evaluation can trust their shape (but not the files they name).
 */

/** signedIdentity / baseLayerIdentity (SPEC §3.5). */
export type SignedIdentity =
  | { type: 'matchExact' }
  | { type: 'matchRepoDigestOrExact' }
  | { type: 'matchRepository' }
  | { type: 'exactReference'; dockerReference: string }
  | { type: 'exactRepository'; dockerRepository: string }
  | { type: 'remapIdentity'; prefix: string; signedPrefix: string };

export type SignedIdentityType = SignedIdentity['type'];

/** Only GPGKeys is implemented (by containers/image too); the others parse and always reject. */
export type KeyType =
  'GPGKeys' | 'signedByGPGKeys' | 'X509Certificates' | 'signedByX509CAs';

export const KEY_TYPES: readonly KeyType[] = [
  'GPGKeys',
  'signedByGPGKeys',
  'X509Certificates',
  'signedByX509CAs',
];

export interface InsecureAcceptAnything {
  type: 'insecureAcceptAnything';
}

export interface Reject {
  type: 'reject';
}

/**
 * `signedBy`: exactly one of keyPath / keyPaths / keyData is set. Key files
 * are read at evaluation time; a missing file makes the requirement reject.
 */
export interface SignedBy {
  type: 'signedBy';
  keyType: KeyType;
  keyPath?: string;
  /** May be empty: trusts no key. */
  keyPaths?: string[];
  /** Decoded keyring bytes; may be empty: trusts no key. */
  keyData?: Buffer;
  signedIdentity: SignedIdentity;
}

/** Parses, but evaluation always rejects (as in containers/image). */
export interface SignedBaseLayer {
  type: 'signedBaseLayer';
  baseLayerIdentity: SignedIdentity;
}

export interface SigstoreFulcio {
  caPath?: string;
  caData?: Buffer;
  oidcIssuer: string;
  subjectEmail: string;
}

export interface SigstorePKI {
  caRootsPath?: string;
  caRootsData?: Buffer;
  caIntermediatesPath?: string;
  caIntermediatesData?: Buffer;
  subjectEmail?: string;
  subjectHostname?: string;
}

/**
 * `sigstoreSigned`: parsed strictly so that policies written for podman
 * load, but imgsign does not verify sigstore signatures: evaluation rejects
 * (fails closed).
 */
export interface SigstoreSigned {
  type: 'sigstoreSigned';
  keyPath?: string;
  keyPaths?: string[];
  keyData?: Buffer;
  keyDatas?: Buffer[];
  fulcio?: SigstoreFulcio;
  pki?: SigstorePKI;
  rekorPublicKeyPath?: string;
  rekorPublicKeyPaths?: string[];
  rekorPublicKeyData?: Buffer;
  rekorPublicKeyDatas?: Buffer[];
  signedIdentity: SignedIdentity;
}

export type PolicyRequirement =
  InsecureAcceptAnything | Reject | SignedBy | SignedBaseLayer | SigstoreSigned;

export type RequirementType = PolicyRequirement['type'];

/** A non-empty list; all must allow the image (SPEC §3.6). */
export type PolicyRequirements = PolicyRequirement[];

/** Scope → requirements for one transport; `''` is the transport default. */
export type TransportScopes = Map<string, PolicyRequirements>;

export interface Policy {
  default: PolicyRequirements;
  /** Transport name → scopes. Unknown transport names are kept (and unused). */
  transports: Map<string, TransportScopes>;
}

/** The scope a lookup selected: a transport scope, or the policy default. */
export type PolicyScope = { transport: string; scope: string } | 'default';
