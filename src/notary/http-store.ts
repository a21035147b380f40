import { ImgsignError } from '../errors.js';
import { discardBody } from '../transports/docker/retry.js';
import {
  NotaryConnection,
  checkJSONObject,
  type NotaryConnectionOptions,
} from './http-connection.js';
import { NotaryMalformedResponseError } from './http-errors.js';
import { publishBody, type PublishFile } from './http-multipart.js';
import { metadataPath, serverKeyPath, tufPath } from './http-paths.js';
import type { MetadataRequest, MetadataSource } from './metadata-source.js';

export type { PublishFile } from './http-multipart.js';

/**
 * The notary server API client (SPEC §7.5): reads TUF metadata for the TUF
 * client (MetadataSource), fetches the server-held timestamp/snapshot keys,
 * publishes and deletes trust data. Connection, TLS, token auth and the
 * status mapping are http-connection.ts's.
 *
 * WARNING: every byte returned is untrusted; the TUF layer verifies it. This
 * class only enforces size caps, statuses and that a 200 body is a JSON object.
 */
export type NotaryHTTPStoreOptions = NotaryConnectionOptions;

/** A server-held public key as key JSON (SPEC §7.1), checked only for shape. */
export interface UntrustedServerKey {
  keytype: string;
  /** `keyval.public`, base64. */
  public: string;
  /** The response body as received. */
  raw: Uint8Array;
}

const MAX_KEY_BYTES = 1024 * 1024;

export class NotaryHTTPStore implements MetadataSource {
  readonly description: string;
  /** The server origin, `https://host[:port]`. */
  readonly serverURL: string;
  private readonly connection: NotaryConnection;

  constructor(options: NotaryHTTPStoreOptions) {
    this.connection = new NotaryConnection(options);
    this.serverURL = this.connection.origin;
    this.description = `notary server ${this.serverURL}`;
  }

  /** MetadataSource: one metadata file, or undefined on 404. */
  async get(
    gun: string,
    request: MetadataRequest,
  ): Promise<Uint8Array | undefined> {
    const path = metadataPath(gun, request);
    const max = request.maxBytes;
    const context = `${this.description}: reading ${path.slice(tufPath(gun).length)} of ${gun}`;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ImgsignError(
        'USAGE',
        `${context}: size limit ${max} is not a positive integer`,
      );
    }
    const res = await this.connection.send('GET', path, gun, ['pull'], context);
    if (res.status === 404) {
      discardBody(res.body);
      return undefined;
    }
    if (res.status !== 200) throw await this.connection.failure(res, context);
    const body = await this.connection.readBody(res, max, context);
    checkJSONObject(body, context);
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }

  /** GET …/{timestamp|snapshot}.key: the server creates the key on first use. */
  async getServerKey(
    gun: string,
    role: 'timestamp' | 'snapshot',
  ): Promise<UntrustedServerKey> {
    const path = serverKeyPath(gun, role);
    const context = `${this.description}: getting the ${role} key of ${gun}`;
    const res = await this.connection.send(
      'GET',
      path,
      gun,
      ['push', 'pull'],
      context,
    );
    if (res.status !== 200) throw await this.connection.failure(res, context);
    const body = await this.connection.readBody(res, MAX_KEY_BYTES, context);
    const untrusted = checkJSONObject(body, context);
    const keyval = untrusted['keyval'] as Record<string, unknown> | undefined;
    const keytype = untrusted['keytype'];
    const pub = keyval?.['public'];
    if (
      typeof keytype !== 'string' ||
      keytype === '' ||
      typeof pub !== 'string' ||
      !/^[A-Za-z0-9+/]+={0,2}$/.test(pub) ||
      (keyval?.['private'] !== undefined && keyval['private'] !== null)
    ) {
      throw new NotaryMalformedResponseError(
        `${context}: the answer is not a public key JSON {"keytype","keyval":{"public"}}`,
      );
    }
    return { keytype, public: pub, raw: new Uint8Array(body) };
  }

  /** One multipart POST of `files` (SPEC §7.5); the server signs what it holds keys for. */
  async publish(gun: string, files: readonly PublishFile[]): Promise<void> {
    const path = tufPath(gun);
    // Checks every role name first, so messages only quote valid ones.
    const { contentType, body } = publishBody(files);
    const roles = files.map((f) => f.role);
    const context = `${this.description}: publishing ${roles.join(', ') || 'nothing'} for ${gun}`;
    if (files.length === 0 || new Set(roles).size !== roles.length) {
      throw new ImgsignError(
        'USAGE',
        `${context}: a publish needs at least one file and each role once`,
      );
    }
    const res = await this.connection.send(
      'POST',
      path,
      gun,
      ['push', 'pull'],
      context,
      {
        headers: { 'content-type': contentType },
        body,
      },
    );
    if (res.status !== 200) throw await this.connection.failure(res, context);
    discardBody(res.body);
  }

  /** DELETE /v2/<gun>/_trust/tuf/: remove all trust data of the GUN on the server. */
  async deleteTrustData(gun: string): Promise<void> {
    const path = tufPath(gun);
    const context = `${this.description}: deleting the trust data of ${gun}`;
    const res = await this.connection.send('DELETE', path, gun, ['*'], context);
    if (res.status !== 200) throw await this.connection.failure(res, context);
    discardBody(res.body);
  }

  /** Close the connections this store opened (not the SystemContext's dispatcher). */
  close(): Promise<void> {
    return this.connection.close();
  }
}
