// Notary v1 (TUF) core: parsing, verification and signing of metadata (SPEC §7).
export * from './canonical-json.js';
export * from './keys.js';
export * from './x509-info.js';
export * from './signatures.js';
export * from './metadata-fields.js';
export * from './metadata.js';
export * from './verify-role.js';
export * from './root-certs.js';
export * from './delegation-names.js';
export * from './delegations.js';
export * from './inspect-data.js';
export * from './sign.js';
export * from './update-root.js';
export * from './update.js';
