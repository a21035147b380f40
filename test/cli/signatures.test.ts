import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDirImage } from '../fixtures/make-images.js';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures, tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  type GpgKey,
  makeGpgKey,
  stopGpgAgent,
} from '../integration/sign-push-setup.js';

const run = promisify(execFile);

describe('imgsign signatures payload', () => {
  it('prints the exact claims for the current manifest digest and the given identity', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'img'));
    const r = await runCli([
      'signatures',
      'payload',
      `dir:${t}/img`,
      '--identity',
      'registry.example.com/team/app:1',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(false);
    const claims = JSON.parse(r.stdout) as {
      critical: unknown;
      optional: { creator: string; timestamp: number };
    };
    expect(claims.critical).toEqual({
      identity: { 'docker-reference': 'registry.example.com/team/app:1' },
      image: { 'docker-manifest-digest': img.manifestDigest },
      type: 'atomic container signature',
    });
    expect(claims.optional.creator).toMatch(/^imgsign /);
    expect(Number.isInteger(claims.optional.timestamp)).toBe(true);
    // Compact, sorted keys, as Go's json.Marshal writes it.
    expect(r.stdout).toMatch(/^\{"critical":\{"identity":/);
  });

  it('--json gives the digest, identity and payload; a bare name needs a tag', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'img'));
    const r = await runCli([
      'signatures',
      'payload',
      `dir:${t}/img`,
      '--identity',
      'busybox:1',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      digest: string;
      identity: string;
      payload: string;
    };
    expect(out.digest).toBe(img.manifestDigest);
    expect(out.identity).toBe('docker.io/library/busybox:1');
    expect(out.payload).toContain(img.manifestDigest);

    const bare = await runCli([
      'signatures',
      'payload',
      `dir:${t}/img`,
      '--identity',
      'busybox',
    ]);
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toMatch(/must be a fully specified reference/);
    const none = await runCli(['signatures', 'payload', `dir:${t}/img`]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/--identity/);
  });

  it('attach refuses transports that cannot carry simple signatures', async () => {
    const t = await tempDir();
    await writeFile(join(t, 'sig'), Buffer.from([0xa3, 1, 2]));
    const r = await runCli([
      'signatures',
      'attach',
      `oci:${t}/layout:app`,
      join(t, 'sig'),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `oci:${t}/layout:app: the oci transport cannot carry simple signatures`,
    );
  });
});

describeWithPeers(
  'imgsign signatures attach and list (external gpg signer)',
  ['gpg'],
  () => {
    let work: string;
    let key: GpgKey;
    let env: Record<string, string>;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'imgsign-signatures-cli-'));
      key = await makeGpgKey(work, 'ext', 'External <ext@example.com>');
      env = { ...key.env, IMGSIGN_HOME: join(work, 'imgsign-home') };
    });

    afterAll(async () => {
      await stopGpgAgent(key);
      if (work) await rm(work, { recursive: true, force: true });
    });

    /** payload → `gpg --sign` (what an offline signer does) → signature file. */
    async function externalSignature(image: string): Promise<string> {
      const p = await runCli(
        [
          'signatures',
          'payload',
          image,
          '--identity',
          'registry.example.com/team/app:1',
        ],
        { env },
      );
      expect(p.code).toBe(0);
      const claims = join(work, `claims-${Math.random()}`);
      await writeFile(claims, p.stdout);
      const sig = `${claims}.sig`;
      await run(
        'gpg',
        [
          '--batch',
          '--local-user',
          key.fingerprint,
          '-o',
          sig,
          '--sign',
          claims,
        ],
        { env: { ...process.env, ...key.env } },
      );
      return sig;
    }

    it('attach stores a gpg-made signature as the next signature-N; list shows it verified with signer and claims', async () => {
      const t = await tempDir();
      const img = await makeDirImage(join(t, 'img'));
      const sig = await externalSignature(`dir:${t}/img`);
      const a = await runCli(
        [
          'signatures',
          'attach',
          `dir:${t}/img`,
          sig,
          '--public-key-file',
          key.publicKeyFile,
        ],
        { env },
      );
      expect(a.stderr).toBe('');
      expect(a.code).toBe(0);
      expect(a.stdout).toContain(
        `Attached signature for ${img.manifestDigest} to dir ${join(t, 'img', 'signature-1')} (verified, signed by ${key.fingerprint} (External <ext@example.com>))`,
      );
      expect(await readFile(join(t, 'img', 'signature-1'))).toEqual(
        await readFile(sig),
      );
      const again = await runCli(
        ['signatures', 'attach', `dir:${t}/img`, sig],
        { env },
      );
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('was already in dir');
      expect(existsSync(join(t, 'img', 'signature-2'))).toBe(false);

      const second = await externalSignature(`dir:${t}/img`);
      // No key anywhere: neither a file, the keyring nor this GnuPG home.
      const noKeys = { ...env, GNUPGHOME: await tempDir() };
      const b = await runCli(['signatures', 'attach', `dir:${t}/img`, second], {
        env: noKeys,
      });
      expect(b.code).toBe(0);
      expect(b.stdout).toContain(join(t, 'img', 'signature-2'));
      expect(b.stdout).toContain('NOT verified');

      await writeFile(join(t, 'img', 'signature-3'), 'garbage');
      const l = await runCli(
        [
          'signatures',
          'list',
          `dir:${t}/img`,
          '--public-key-file',
          key.publicKeyFile,
          '--json',
        ],
        { env },
      );
      expect(l.code).toBe(0);
      const listing = JSON.parse(l.stdout) as {
        digest: string;
        storeKind: string;
        signatures: Record<string, unknown>[];
      };
      expect(listing.digest).toBe(img.manifestDigest);
      expect(listing.storeKind).toBe('dir');
      expect(listing.signatures).toHaveLength(3);
      for (const s of listing.signatures.slice(0, 2)) {
        expect(s).toMatchObject({
          verified: true,
          fingerprint: key.fingerprint,
          userId: 'External <ext@example.com>',
          untrustedIdentity: 'registry.example.com/team/app:1',
          untrustedDigest: img.manifestDigest,
          digestMatches: true,
        });
      }
      expect(listing.signatures[2]).toMatchObject({
        index: 3,
        verified: false,
        unreadable: expect.stringMatching(/unrecognised byte/),
      });
      const text = await runCli(['signatures', 'list', `dir:${t}/img`], {
        env: noKeys,
      });
      expect(text.stdout).toContain(`3 signatures for dir:${t}/img`);
      expect(text.stdout).toMatch(/signature-1: NOT VERIFIED/);
      expect(text.stdout).toMatch(/signature-3: unreadable: /);
      // The signer's GnuPG home is consulted for keys it holds.
      const gnupg = await runCli(
        ['signatures', 'list', `dir:${t}/img`, '--json'],
        { env },
      );
      const viaGnuPG = JSON.parse(gnupg.stdout) as {
        signatures: Record<string, unknown>[];
      };
      expect(viaGnuPG.signatures[0]).toMatchObject({
        verified: true,
        fingerprint: key.fingerprint,
        keySource: `GnuPG ${key.home}`,
      });
    });

    it('a key in the imgsign keyring is used to verify, no --public-key-file needed', async () => {
      const t = await tempDir();
      await makeDirImage(join(t, 'img'));
      const sig = await externalSignature(`dir:${t}/img`);
      const imported = await runCli(['key', 'import', key.publicKeyFile], {
        env,
      });
      expect(imported.code).toBe(0);
      const a = await runCli(['signatures', 'attach', `dir:${t}/img`, sig], {
        env,
      });
      expect(a.code).toBe(0);
      expect(a.stdout).toContain(`verified, signed by ${key.fingerprint}`);
    });
  },
);

describe('imgsign signatures list with --public-key-file first (skopeo order)', () => {
  it('does not swallow the image argument', async () => {
    const fixtures = signatureFixtures;
    const r = await runCli([
      'signatures',
      'list',
      '--public-key-file',
      join(fixtures, 'public-key.gpg'),
      `dir:${join(fixtures, 'dir-img-valid')}`,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      signatures: { verified?: boolean }[];
    };
    // Verified only because the key file was read as the flag's value.
    expect(out.signatures.map((s) => s.verified)).toEqual([true]);
  });
});
