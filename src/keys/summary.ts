import type { KeyringEntry } from './keyring.js';

/** What `key list --json` and the other key commands report about a key. */
export interface KeySummary {
  fingerprint: string;
  keyIds: string[];
  userIds: string[];
  algorithm: string;
  created: string;
  expires?: string;
  hasSecret: boolean;
  /** The stored secret key is passphrase-protected. */
  encrypted: boolean;
}

export function summarizeKey(k: KeyringEntry): KeySummary {
  return {
    fingerprint: k.fingerprint,
    keyIds: k.keyIds,
    userIds: k.userIds,
    algorithm: k.algorithm,
    created: k.created.toISOString(),
    ...(k.expires !== undefined ? { expires: k.expires.toISOString() } : {}),
    hasSecret: k.hasSecret,
    encrypted: k.isEncrypted,
  };
}

/** One line for humans: `FPR  algo  sec|pub  user ID`. */
export function formatKeyLine(k: KeySummary): string {
  return `${k.fingerprint}  ${k.algorithm.padEnd(8)} ${k.hasSecret ? 'sec' : 'pub'}  ${k.userIds[0] ?? ''}`;
}
