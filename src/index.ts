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
