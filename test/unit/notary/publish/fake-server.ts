/**
 * An in-memory notary server for the publish tests: it hands out its own
 * snapshot/timestamp keys, and on publish verifies each uploaded file the
 * way notary-server's validation does the parts that matter here
 * (signatures by the role's keys from the root / parent being published
 * or stored, versions strictly increasing, root cert for the GUN), then
 * stores it and signs a new snapshot (unless one was sent) and timestamp.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  NotaryInvalidOperationError,
  statusError,
} from '../../../../src/notary/http-errors.js';
import type { UntrustedServerKey } from '../../../../src/notary/http-store.js';
import type { PublishFile } from '../../../../src/notary/http-multipart.js';
import type { MetadataRequest } from '../../../../src/notary/metadata-source.js';
import type { PublishServer } from '../../../../src/notary/publish/context.js';
import { parentRole } from '../../../../src/notary/tuf/delegation-names.js';
import { keyID, tufKeyFromPublicKey } from '../../../../src/notary/tuf/keys.js';
import {
  parseRoot,
  parseSnapshot,
  parseTargets,
  type Root,
  type SignedFile,
  type Targets,
} from '../../../../src/notary/tuf/metadata.js';
import { validateRoot } from '../../../../src/notary/tuf/root-certs.js';
import {
  defaultExpiresString,
  signMetadata,
} from '../../../../src/notary/tuf/sign.js';
import {
  baseRoleKeys,
  delegationKeys,
  verifyRoleSignatures,
} from '../../../../src/notary/tuf/verify-role.js';

function meta(bytes: Uint8Array): Record<string, unknown> {
  const h = (a: string) => createHash(a).update(bytes).digest('base64');
  return {
    length: bytes.length,
    hashes: { sha256: h('sha256'), sha512: h('sha512') },
  };
}

export class FakeNotaryServer implements PublishServer {
  readonly description = 'fake notary server';
  readonly files = new Map<string, Buffer>();
  readonly serverKeys = new Map<string, KeyObject>();
  /** Every publish, as the roles it carried. */
  readonly publishes: string[][] = [];
  /** The next publish fails with this 400 error envelope. */
  rejectNext: { code: string; detail: string } | undefined;

  constructor(
    readonly gun: string,
    readonly now: Date,
  ) {}

  get(gun: string, request: MetadataRequest): Promise<Uint8Array | undefined> {
    const bytes = this.files.get(request.role);
    if (bytes === undefined || request.version !== undefined) {
      return Promise.resolve(undefined);
    }
    if (
      request.checksum !== undefined &&
      createHash('sha256').update(bytes).digest('hex') !== request.checksum
    ) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve(bytes);
  }

  private key(role: string): KeyObject {
    let k = this.serverKeys.get(role);
    if (!k) {
      k = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      this.serverKeys.set(role, k);
    }
    return k;
  }

  getServerKey(
    _gun: string,
    role: 'timestamp' | 'snapshot',
  ): Promise<UntrustedServerKey> {
    const json = tufKeyFromPublicKey(this.key(role));
    return Promise.resolve({
      keytype: json.keytype,
      public: json.keyval.public,
      raw: Buffer.from(JSON.stringify(json)),
    });
  }

  /** A 400 with notary's error envelope, through the real client's status mapping. */
  private fail(code: string, detail: string): never {
    const body = Buffer.from(
      JSON.stringify({ errors: [{ code, message: 'refused', detail }] }),
    );
    throw statusError(
      400,
      body,
      `${this.description}: publishing for ${this.gun}`,
    );
  }

  private version(role: string): number {
    const b = this.files.get(role);
    if (!b) return 0;
    return (JSON.parse(b.toString()) as { signed: { version: number } }).signed
      .version;
  }

  publish(gun: string, files: readonly PublishFile[]): Promise<void> {
    try {
      this.accept(gun, files);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(
        err instanceof Error ? err : new Error(String(err)),
      );
    }
  }

  private accept(gun: string, files: readonly PublishFile[]): void {
    this.publishes.push(files.map((f) => f.role));
    if (this.rejectNext) {
      const r = this.rejectNext;
      this.rejectNext = undefined;
      this.fail(r.code, r.detail);
    }
    const incoming = new Map(files.map((f) => [f.role, Buffer.from(f.bytes)]));
    const bytesOf = (role: string) =>
      incoming.get(role) ?? this.files.get(role);
    const rootBytes = bytesOf('root');
    if (!rootBytes) this.fail('INVALID_UPDATE', 'no root');
    let root: SignedFile<Root>;
    try {
      root = parseRoot(rootBytes, gun);
      validateRoot(root, { gun, now: this.now });
    } catch (err) {
      this.fail('INVALID_UPDATE', `root: ${String(err)}`);
    }
    const parsed = new Map<string, SignedFile<Targets>>();
    const targetsOf = (role: string): SignedFile<Targets> | undefined => {
      const have = parsed.get(role);
      if (have) return have;
      const b = bytesOf(role);
      if (!b) return undefined;
      const f = parseTargets(b, gun, role);
      parsed.set(role, f);
      return f;
    };
    for (const [role, bytes] of incoming) {
      if (
        this.version(role) >=
        (JSON.parse(bytes.toString()) as { signed: { version: number } }).signed
          .version
      ) {
        this.fail(
          'VERSION',
          `${role}: version not newer than ${this.version(role)}`,
        );
      }
      if (role === 'root' || role === 'snapshot' || role === 'timestamp')
        continue;
      try {
        const file = targetsOf(role)!;
        if (role === 'targets') {
          verifyRoleSignatures(file, baseRoleKeys(root.signed, 'targets'));
        } else {
          const parent = targetsOf(parentRole(role));
          const d = parent?.signed.delegations.roles.find(
            (r) => r.name === role,
          );
          if (!parent || !d)
            this.fail('INVALID_UPDATE', `${role}: not delegated`);
          verifyRoleSignatures(file, delegationKeys(parent.signed, d));
        }
      } catch (err) {
        if (err instanceof NotaryInvalidOperationError) throw err;
        this.fail('INVALID_UPDATE', `${role}: ${String(err)}`);
      }
    }
    if (!bytesOf('targets')) this.fail('INVALID_UPDATE', 'no targets');
    for (const [role, bytes] of incoming) this.files.set(role, bytes);
    let snapshot: Buffer | undefined = incoming.get('snapshot');
    if (snapshot) {
      const s = parseSnapshot(snapshot, gun);
      verifyRoleSignatures(s, baseRoleKeys(root.signed, 'snapshot'));
    } else {
      const m: Record<string, unknown> = {};
      for (const [role, bytes] of this.files) {
        if (role !== 'snapshot' && role !== 'timestamp') m[role] = meta(bytes);
      }
      snapshot = this.sign('snapshot', { _type: 'Snapshot', meta: m });
      this.files.set('snapshot', snapshot);
    }
    this.files.set(
      'timestamp',
      this.sign('timestamp', {
        _type: 'Timestamp',
        meta: { snapshot: meta(snapshot) },
      }),
    );
  }

  private sign(role: string, body: Record<string, unknown>): Buffer {
    const key = this.key(role);
    return signMetadata(
      {
        ...body,
        version: this.version(role) + 1,
        expires: defaultExpiresString(role, this.now),
      },
      [{ privateKey: key, keyID: keyID(tufKeyFromPublicKey(key)) }],
    );
  }
}
