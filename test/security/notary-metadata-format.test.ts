/**
 * SPEC §8 Notary: malformed signed metadata — `_type` wrong or lowercase,
 * a role keyid missing from `keys`, hashes of the wrong length, no sha256
 * where it is required, version 0, bad expiry times, duplicate keys —
 * rejected by the parser before anything is trusted, with messages naming
 * the GUN, file and field.
 */
import { describe, expect, it } from 'vitest';
import {
  parseRoot,
  parseSnapshot,
  parseTargets,
  parseTimestamp,
} from '../../src/notary/tuf/metadata.js';
import { parseRFC3339 } from '../../src/notary/tuf/metadata-fields.js';
import {
  buildRepo,
  tamper,
  type UntrustedFileJSON,
} from '../helpers/notary-tuf/fake-repo.js';
import { trustFailure } from '../helpers/notary-tuf/memory-source.js';

const gun = 'docker.io/library/fmt';
const now = new Date('2026-11-22T12:00:00Z');
const built = buildRepo({ gun, now, targets: { t: Buffer.from('x') } });
const file = (role: string): Buffer => built.files.get(role)!;
const edit = (role: string, f: (j: UntrustedFileJSON) => void): Buffer =>
  tamper(file(role), f);
type Obj = Record<string, unknown>;

describe('when Notary metadata is malformed', () => {
  it('accepts the untouched generated files', () => {
    expect(parseRoot(file('root'), gun).signed.version).toBe(1);
    expect(parseTargets(file('targets'), gun, 'targets').signed._type).toBe(
      'Targets',
    );
    expect(parseSnapshot(file('snapshot'), gun).signed.meta.size).toBe(2);
    expect(parseTimestamp(file('timestamp'), gun).signed.snapshot.length).toBe(
      file('snapshot').length,
    );
  });

  it.each(['root', 'Targets', 'ROOT', 'Snapshot'])(
    'rejects root.json with _type %s',
    async (type) => {
      const bad = edit('root', (j) => (j.signed._type = type));
      const err = await trustFailure(() => parseRoot(bad, gun));
      expect(err.message).toBe(
        `${gun} root.json: "signed._type" is "${type}", expected "Root"`,
      );
    },
  );

  it('rejects a lowercase _type in targets', async () => {
    const bad = edit('targets', (j) => (j.signed._type = 'targets'));
    const err = await trustFailure(() => parseTargets(bad, gun, 'targets'));
    expect(err.message).toMatch(
      /"signed\._type" is "targets", expected "Targets"/,
    );
  });

  it('rejects a root role keyid that is not in keys', async () => {
    const bad = edit('root', (j) => {
      const roles = j.signed.roles as Record<string, { keyids: string[] }>;
      roles.snapshot!.keyids.push('ab'.repeat(32));
    });
    const err = await trustFailure(() => parseRoot(bad, gun));
    expect(err.message).toBe(
      `${gun} root.json: "signed.roles.snapshot.keyids" lists key ${'ab'.repeat(32)}, which is not in "keys"`,
    );
  });

  it('rejects a root without one of the four roles', async () => {
    const bad = edit('root', (j) => delete (j.signed.roles as Obj).timestamp);
    const err = await trustFailure(() => parseRoot(bad, gun));
    expect(err.message).toMatch(/"signed\.roles" has no "timestamp" role/);
  });

  it('rejects a hash of the wrong length', async () => {
    const bad = edit('timestamp', (j) => {
      const meta = (j.signed.meta as Obj).snapshot as { hashes: Obj };
      meta.hashes.sha256 = Buffer.alloc(31).toString('base64');
    });
    const err = await trustFailure(() => parseTimestamp(bad, gun));
    expect(err.message).toBe(
      `${gun} timestamp.json: "signed.meta.snapshot.hashes.sha256" is 31 bytes, a sha256 digest is 32`,
    );
    const bad512 = edit('snapshot', (j) => {
      const meta = (j.signed.meta as Obj).targets as { hashes: Obj };
      meta.hashes.sha512 = Buffer.alloc(32).toString('base64');
    });
    const err512 = await trustFailure(() => parseSnapshot(bad512, gun));
    expect(err512.message).toMatch(
      /sha512" is 32 bytes, a sha512 digest is 64/,
    );
  });

  it('rejects a snapshot or timestamp without the required sha256', async () => {
    const noSha = (j: UntrustedFileJSON, entry: string): void => {
      delete ((j.signed.meta as Obj)[entry] as { hashes: Obj }).hashes.sha256;
    };
    for (const entry of ['root', 'targets']) {
      const bad = edit('snapshot', (j) => noSha(j, entry));
      const err = await trustFailure(() => parseSnapshot(bad, gun));
      expect(err.message).toBe(
        `${gun} snapshot.json: "signed.meta.${entry}.hashes" has no sha256 checksum (required)`,
      );
    }
    const ts = edit('timestamp', (j) => noSha(j, 'snapshot'));
    const err = await trustFailure(() => parseTimestamp(ts, gun));
    expect(err.message).toMatch(
      /"signed\.meta\.snapshot\.hashes" has no sha256/,
    );
  });

  it('rejects version 0 and non-integer versions', async () => {
    for (const [v, why] of [
      [0, 'must be at least 1'],
      ['1', 'is not an integer'],
    ] as const) {
      const bad = edit('targets', (j) => (j.signed.version = v));
      const err = await trustFailure(() => parseTargets(bad, gun, 'targets'));
      expect(err.message).toBe(`${gun} targets.json: "signed.version" ${why}`);
    }
  });

  it('rejects fractions anywhere in signed (canonical JSON has integers only)', async () => {
    const bad = edit('targets', (j) => (j.signed.version = 1.5));
    const err = await trustFailure(() => parseTargets(bad, gun, 'targets'));
    expect(err.message).toBe(
      `${gun} targets.json: canonical JSON: 1.5 is not an integer (TUF metadata numbers must be integers)`,
    );
  });

  it('rejects expiry times that are not RFC 3339', async () => {
    for (const t of [
      '2030-01-01',
      '2030-01-01 00:00:00Z',
      '2030-02-30T00:00:00Z',
      '2030-01-01T00:00:00',
      '2030-01-01t00:00:00z',
    ]) {
      const bad = edit('snapshot', (j) => (j.signed.expires = t));
      const err = await trustFailure(() => parseSnapshot(bad, gun));
      expect(err.message).toBe(
        `${gun} snapshot.json: "signed.expires" is not an RFC 3339 time: ${t}`,
      );
    }
    // Go's own format (nanoseconds, negative offset) is fine.
    expect(
      parseRFC3339('2116-07-03T17:56:36.027379879-05:00')?.toISOString(),
    ).toBe('2116-07-03T22:56:36.027Z');
  });

  it('rejects duplicate keys anywhere in the file', async () => {
    const text = file('timestamp').toString();
    const dup = Buffer.from(
      text.replace('"version":1', '"version":1,"version":2'),
    );
    const err = await trustFailure(() => parseTimestamp(dup, gun));
    expect(err.message).toMatch(/invalid JSON: duplicate key "version"/);
  });

  it('rejects a signature value that is not base64', async () => {
    const bad = edit('targets', (j) => (j.signatures[0]!.sig = 'not base64!'));
    const err = await trustFailure(() => parseTargets(bad, gun, 'targets'));
    expect(err.message).toMatch(/"signatures\[0\]\.sig" is not base64/);
  });
});
