import { randomBytes } from 'node:crypto';
import { isValidDigest } from '../digest/digest.js';
import { ImgsignError, RegistryHTTPError } from '../errors.js';
import {
  type DockerReference,
  referenceName,
} from '../reference/docker-reference.js';
import { MAX_SIGNATURE_BYTES } from './bounded-read.js';
import type { SignatureStore } from './store.js';

/**
 * The part of transports/docker/registry-client.ts this store needs
 * (structural, so tests can pass their own). Requests carry registry auth
 * with the given token scope; bodies are capped at `maxBodyBytes`.
 */
export interface SignatureAPIClient {
  readonly registry: string;
  request(options: {
    method: string;
    path: string;
    repository: string;
    actions: ('pull' | 'push')[];
    headers?: Record<string, string>;
    body?: Buffer | string;
    maxBodyBytes?: number;
  }): Promise<{ status: number; body: Buffer }>;
}

/** One entry of the extension API list (SPEC §5), as far as we use it. */
interface UntrustedEntry {
  name: unknown;
  content: Buffer | undefined;
  usable: boolean;
}

/** Body of GET /extensions/v2/…/signatures/… must fit in this. */
export const MAX_SIGNATURE_LIST_BYTES = MAX_SIGNATURE_BYTES;
const base64Re =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Registry signature extension API (`X-Registry-Supports-Signatures: 1`,
 * OpenShift, IBM Cloud; SPEC §5). Only entries with schemaVersion 2 and
 * type "atomic" are used; the API cannot delete, so add() only appends and
 * never sends content that is already stored.
 */
export class ExtensionAPIStore implements SignatureStore {
  constructor(private readonly client: SignatureAPIClient) {}

  private path(ref: DockerReference, manifestDigest: string): string {
    if (!isValidDigest(manifestDigest)) {
      throw new ImgsignError(
        'UNSAFE_PATH',
        `refusing to build a signature API path from invalid digest "${manifestDigest}"`,
      );
    }
    return `/extensions/v2/${ref.path}/signatures/${manifestDigest}`;
  }

  describe(ref: DockerReference, manifestDigest: string): string {
    return `registry signature extension API ${this.client.registry}/extensions/v2/${ref.path}/signatures/${manifestDigest}`;
  }

  async read(ref: DockerReference, manifestDigest: string): Promise<Buffer[]> {
    const entries = await this.list(ref, manifestDigest);
    return entries.flatMap((e) =>
      e.usable && e.content !== undefined ? [e.content] : [],
    );
  }

  async add(
    ref: DockerReference,
    manifestDigest: string,
    signatures: Buffer[],
  ): Promise<string[]> {
    const path = this.path(ref, manifestDigest);
    const entries = await this.list(ref, manifestDigest);
    const names = new Set(entries.map((e) => e.name));
    const contents = entries.flatMap((e) =>
      e.usable && e.content !== undefined ? [e.content] : [],
    );
    const written: string[] = [];
    for (const sig of signatures) {
      if (contents.some((c) => c.equals(sig))) continue;
      let name: string;
      do {
        name = `${manifestDigest}@${randomBytes(16).toString('hex')}`;
      } while (names.has(name));
      const body = JSON.stringify({
        schemaVersion: 2,
        name,
        type: 'atomic',
        content: sig.toString('base64'),
      });
      const res = await this.client.request({
        method: 'PUT',
        path,
        repository: ref.path,
        actions: ['pull', 'push'],
        headers: { 'content-type': 'application/json' },
        body,
        maxBodyBytes: 64 * 1024,
      });
      if (res.status !== 201) {
        throw new RegistryHTTPError(
          res.status,
          `storing a signature for ${referenceName(ref)}@${manifestDigest} with PUT ${this.client.registry}${path}: status ${res.status} (expected 201)${errorDetail(res.body)}`,
        );
      }
      names.add(name);
      contents.push(sig);
      written.push(`${this.client.registry}${path} (${name})`);
    }
    return written;
  }

  /** GET the list; anything but 200 with a well-formed JSON body is an error. */
  private async list(
    ref: DockerReference,
    manifestDigest: string,
  ): Promise<UntrustedEntry[]> {
    const path = this.path(ref, manifestDigest);
    const where = `${referenceName(ref)}@${manifestDigest} from ${this.client.registry}${path}`;
    const res = await this.client.request({
      method: 'GET',
      path,
      repository: ref.path,
      actions: ['pull'],
      maxBodyBytes: MAX_SIGNATURE_LIST_BYTES,
    });
    if (res.status !== 200) {
      throw new RegistryHTTPError(
        res.status,
        `reading signatures of ${where}: status ${res.status}${errorDetail(res.body)}`,
      );
    }
    let untrusted: unknown;
    try {
      untrusted = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw invalid(where, 'the body is not JSON');
    }
    if (!isObject(untrusted)) throw invalid(where, 'the body is not an object');
    const list = untrusted['signatures'];
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) {
      throw invalid(where, '"signatures" is not an array');
    }
    return list.map((item: unknown, i) => parseEntry(item, i, where));
  }
}

function parseEntry(
  item: unknown,
  index: number,
  where: string,
): UntrustedEntry {
  if (!isObject(item)) {
    throw invalid(where, `signature entry ${index} is not an object`);
  }
  const usable = item['schemaVersion'] === 2 && item['type'] === 'atomic';
  const content = item['content'];
  if (!usable) return { name: item['name'], content: undefined, usable };
  if (typeof content !== 'string' || !base64Re.test(content)) {
    throw invalid(
      where,
      `signature entry ${index} has content that is not standard base64`,
    );
  }
  return {
    name: item['name'],
    content: Buffer.from(content, 'base64'),
    usable,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(where: string, why: string): ImgsignError {
  return new ImgsignError(
    'REGISTRY_HTTP',
    `reading signatures of ${where}: ${why}`,
  );
}

/** The first distribution error message of a body, for context (never trusted). */
function errorDetail(body: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const first: unknown = isObject(parsed)
      ? (parsed['errors'] as unknown[] | undefined)?.[0]
      : undefined;
    if (isObject(first)) {
      const text = `${String(first['code'])}: ${String(first['message'])}`;
      return ` (${text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)})`;
    }
  } catch {
    // not JSON: no detail
  }
  return '';
}
