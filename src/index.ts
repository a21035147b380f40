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
