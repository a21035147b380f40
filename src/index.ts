// imgsign library API. Only cli/ and commands/ import oclif.
export * from './errors.js';
export * from './reference/docker-reference.js';
export * from './digest/digest.js';
export type * from './transports/types.js';
export type * from './signature/mechanism.js';
export type * from './signature-storage/store.js';
export type * from './system-context.js';
export * from './manifest/digest.js';
export * from './signature/payload.js';
export * from './signature/blob.js';
export * from './signature/simple.js';
export { newPGPVerifier } from './signature/pgp/verifier.js';
export {
  loadRegistriesConfig,
  loadRegistriesConfigFor,
  resolveRegistriesDir,
  resolveRegistriesDirWithSource,
  builtInLookasideURL,
  type RegistriesConfig,
  type RegistriesSection,
} from './registries-d/load.js';
export {
  lookasideFor,
  lookasideRepositoryURL,
  lookasideSignatureURL,
  type LookasideLocation,
} from './registries-d/lookup.js';
export { explainRegistriesD } from './registries-d/explain.js';
export { LookasideStore } from './signature-storage/lookaside.js';
export { ExtensionAPIStore } from './signature-storage/extension-api.js';
export { newPGPSigner } from './signature/pgp/signer.js';
export { newGPGSigner } from './signature/pgp/gpg-signer.js';
export * from './keys/resolve.js';
export { Keyring, keyringDir } from './keys/keyring.js';
export { dockerArchiveTransport } from './transports/docker-archive/transport.js';
export {
  parseDockerArchiveReference,
  DockerArchiveReference,
} from './transports/docker-archive/reference.js';
export { dockerDaemonTransport } from './transports/docker-daemon/transport.js';
export {
  parseDockerDaemonReference,
  DockerDaemonReference,
} from './transports/docker-daemon/reference.js';
export {
  DockerEngineClient,
  DEFAULT_DOCKER_HOST,
} from './transports/docker-daemon/client.js';
export {
  parseImageName,
  knownTransports,
  transportByName,
} from './transports/all.js';
export { dirTransport, DirReference } from './transports/dir/transport.js';
export { ociTransport, OciReference } from './transports/oci/transport.js';
export {
  ociArchiveTransport,
  OciArchiveReference,
} from './transports/oci-archive/transport.js';
export { copyImage } from './copy/copy.js';
export type * from './copy/types.js';
export { guessManifestMediaType } from './manifest/guess.js';
export {
  parseManifest,
  type ParsedManifest,
  type ImageManifest,
  type ManifestList,
  type ListInstance,
  type Platform,
} from './manifest/parse.js';
export {
  chooseInstance,
  currentPlatform,
  type PlatformChoice,
} from './manifest/platform.js';
export { convertImageManifest } from './manifest/convert.js';
export {
  inspectImage,
  rawManifestOrConfig,
  type InspectOutput,
} from './manifest/inspect.js';
export { MediaType, isManifestListType } from './manifest/media-types.js';
export type * from './policy/types.js';
export type * from './policy/result.js';
export { parsePolicy, lintPolicy } from './policy/parse.js';
export {
  loadPolicy,
  loadPolicyFile,
  insecureAcceptAnythingPolicy,
} from './policy/load.js';
export { PolicyContext } from './policy/context.js';
export { requirementsFor } from './policy/evaluate.js';
export { matchesSignedIdentity } from './policy/reference-match.js';
export {
  staticImage,
  imageFromSource,
  type UnparsedImage,
} from './policy/unparsed-image.js';
export { verifyImages } from './policy/verify-images.js';
export {
  signatureStoreFor,
  type SignatureStoreOptions,
} from './signature-storage/select.js';
export { untrustedSignatureContents } from './signature/pgp/untrusted.js';
export {
  RegistryClient,
  getRegistryClient,
  closeRegistryClients,
  type RegistryClientOptions,
  type RegistryRequestOptions,
  type RegistryResponse,
  type RegistryStreamResponse,
  type PingResult,
} from './transports/docker/registry-client.js';
export {
  dockerTransport,
  newDockerImageReference,
  DockerImageReference,
} from './transports/docker/docker-transport.js';
export {
  setDockerSignatureStoreResolver,
  type DockerSystemContext,
  type DockerSignatureStoreResolver,
} from './transports/docker/docker-system-context.js';
export { listTags } from './transports/docker/tags.js';
export { deleteImage } from './transports/docker/delete-image.js';
export { lookupCredentials } from './auth/credentials.js';
export { storeCredentials, removeCredentials } from './auth/login.js';
export type { Credentials } from './auth/types.js';
export { signatureStoreForClient } from './signature-storage/select.js';
export {
  registriesDResolver,
  recordingResolver,
  withSignatureStoreResolver,
  storeKind,
  type SignatureStoreAccess,
  type SignatureStoreKind,
  type SignatureStoreRecorder,
} from './signature-storage/docker-resolver.js';
export {
  plannedSignatureWrites,
  signatureWritesOfCopy,
  type SignatureWrite,
} from './signature-storage/copy-report.js';
export { signingIdentity, signingPayload } from './signatures/payload.js';
export { attachSignature, type AttachResult } from './signatures/attach.js';
export { listSignatures, type SignatureListing } from './signatures/list.js';
export type { SignatureReport } from './signatures/inspect-signature.js';
export { loadKnownKeys, type KnownKey } from './signatures/known-keys.js';
export * as notaryTUF from './notary/tuf/index.js';
export {
  TrustKeyStore,
  type TrustKeyInfo,
  type OpenTrustKeyStoreOptions,
} from './notary/keystore/store.js';
export {
  generateSignerKey,
  loadSignerKey,
  validateKeyName,
  type GeneratedSignerKey,
  type LoadedSignerKey,
} from './notary/keystore/signer-keys.js';
export {
  encodePrivateKeyPem,
  encodePublicKeyPem,
  keyFileAttributes,
  parsePrivateKeyPem,
} from './notary/keystore/key-file.js';
export {
  tufKeyId,
  tufPrivateKeyFromKeyObject,
  type TufPrivateKey,
} from './notary/keystore/tuf-private-key.js';
export {
  fixedPassphrase,
  type PassphraseRetriever,
  type PassphraseRequest,
} from './notary/keystore/passphrase.js';
export {
  NotaryHTTPStore,
  type NotaryHTTPStoreOptions,
  type PublishFile,
  type UntrustedServerKey,
} from './notary/http-store.js';
export {
  NotaryInvalidOperationError,
  NotaryMalformedResponseError,
  NotaryResponseTooLargeError,
  NotaryServerUnavailableError,
} from './notary/http-errors.js';
export { NotaryNameError } from './notary/http-paths.js';
export {
  DOCKER_HUB_NOTARY_SERVER,
  gunOf,
  notaryServerURL,
  openNotaryRepository,
  readTrustedRepository,
  resolveTrustedTag,
  type NotaryRepository,
  type ResolveTrustedTagOptions,
  type NotaryRepositoryOptions,
  type ReadTrustedOptions,
} from './notary/repository.js';
export {
  FileTrustCache,
  validateCacheGUN,
  validateCacheRole,
} from './notary/trust-cache.js';
export {
  inspectImageTrust,
  type TrustInspectOptions,
} from './notary/inspect.js';
export {
  dockerTrustRepo,
  formatTrustInspectJSON,
  formatTrustInspectPretty,
  type DockerTrustRepo,
} from './notary/inspect-format.js';
export * as notaryPublish from './notary/publish/index.js';
export {
  signImage,
  revokeImage,
  addSignerToRepository,
  removeSignerFromRepository,
  type TrustPublishOptions,
} from './notary/publish/open.js';
// Docker Content Trust in copy (trusted-tag hooks and their Notary implementation).
export {
  dockerTrustedTagResolver,
  dockerTrustedTagSigner,
  type DockerTrustedTagResolver,
  type DockerTrustedTagSigner,
  type TrustedTagResolution,
  type TrustedTagSigning,
} from './transports/docker/docker-system-context.js';
export type { CopyContentTrustReport } from './copy/content-trust.js';
export {
  notaryTrustedTagResolver,
  notaryTrustedTagSigner,
  type CopyTrustOptions,
} from './notary/copy-trust.js';
