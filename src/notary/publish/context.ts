/**
 * What a publish needs (SPEC §7.5, §7.7): the server (metadata reads,
 * server-held keys, the multipart POST), the local trust cache, the local
 * private keys and the clock. NotaryHTTPStore is a PublishServer; tests
 * pass an in-memory server.
 */
import type { UntrustedServerKey } from '../http-store.js';
import type { PublishFile } from '../http-multipart.js';
import type { MetadataSource } from '../metadata-source.js';
import type { TrustCache } from '../tuf/update-root.js';
import type { LocalSigningKeys } from './signing-keys.js';

export interface PublishServer extends MetadataSource {
  /** The server-held public key of a role, created on first use. */
  getServerKey(
    gun: string,
    role: 'timestamp' | 'snapshot',
  ): Promise<UntrustedServerKey>;
  /** One multipart POST of every changed file. */
  publish(gun: string, files: readonly PublishFile[]): Promise<void>;
}

export interface PublishContext {
  /** Fully expanded repository name (`docker.io/library/busybox`). */
  gun: string;
  server: PublishServer;
  cache: TrustCache;
  keys: LocalSigningKeys;
  now: Date;
  /** Skipped delegations and other notices from the update. */
  warn?: (message: string) => void;
}
