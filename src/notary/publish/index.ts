// Docker Content Trust publishing (SPEC §7.7, §7.11): sign, revoke, signers.
export * from './context.js';
export * from './root-certificate.js';
export * from './state.js';
export * from './signing-keys.js';
export * from './initialize.js';
export * from './publish.js';
export * from './signable-roles.js';
export * from './public-key-files.js';
export * from './docker-sign.js';
export * from './docker-revoke.js';
export * from './docker-signers.js';
export * from './open.js';
