import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../../../../helpers/paths.js';
import { describeWithPeers } from '../../../../helpers/peers.js';
import { expectAgreement, nativeOutcome } from './differential.js';

/**
 * Differential corpus made by gpg: keys of every natively handled kind
 * (and a few that must stay with openpgp.js), created and used at fixed
 * faked times so that expiry is checked at fixed dates, never by timing.
 */

const run = promisify(execFile);
const T0 = '20200101T000000!';
const T1 = '20200601T000000!';
const T3 = '20201201T000000!';
const T3b = '20201202T000000!';
const T4 = '20210601T000000!';
const dates = [
  new Date('2019-12-31T00:00:00Z'), // before the keys exist
  new Date('2020-03-01T00:00:00Z'), // before the signatures
  new Date('2020-07-01T00:00:00Z'),
  new Date('2021-07-01T00:00:00Z'), // the 1y keys have expired
  new Date('2030-01-01T00:00:00Z'),
];

interface Key {
  name: string;
  fpr: string;
  /** Fingerprint of the signing subkey, when there is one. */
  sub?: string;
  binary: Buffer;
  armored: Buffer;
}

interface Sig {
  label: string;
  key: string;
  blob: Buffer;
}

describeWithPeers(
  'native verification of gpg keys and signatures',
  ['gpg'],
  () => {
    let home = '';
    let work = '';
    const keys: Key[] = [];
    const sigs: Sig[] = [];

    const gpg = async (time: string, ...args: string[]): Promise<Buffer> =>
      (
        await run(
          'gpg',
          [
            '--batch',
            '--pinentry-mode',
            'loopback',
            '--passphrase',
            '',
            '--faked-system-time',
            time,
            ...args,
          ],
          {
            env: { ...process.env, GNUPGHOME: home },
            encoding: 'buffer',
            maxBuffer: 1 << 24,
          },
        )
      ).stdout;

    const fingerprints = async (uid: string): Promise<string[]> => {
      const listing = (await gpg(T4, '--with-colons', '--list-keys', uid))
        .toString()
        .split('\n');
      return listing
        .filter((l) => l.startsWith('fpr:'))
        .map((l) => l.split(':')[9]!);
    };

    const sign = async (
      label: string,
      key: Key,
      signer: string,
      time: string,
      ...opts: string[]
    ): Promise<void> => {
      const input = join(work, 'payload');
      await writeFile(input, `payload for ${label}\n`);
      const blob = await gpg(
        time,
        '--local-user',
        `${signer}!`,
        ...opts,
        '--output',
        '-',
        '--sign',
        input,
      );
      sigs.push({ label: `${key.name} ${label}`, key: key.name, blob });
    };

    beforeAll(async () => {
      work = await tempDir('imgsign-native-gpg-');
      home = join(work, 'gnupg');
      await run('mkdir', ['-m', '700', home]);
      const make = async (
        name: string,
        algo: string,
        expire = 'never',
        subAlgo?: string,
      ): Promise<Key> => {
        const uid = `${name} <${name}@example.com>`;
        await gpg(
          T0,
          '--quick-gen-key',
          uid,
          algo,
          subAlgo ? 'cert' : 'sign',
          expire,
        );
        let [fpr] = await fingerprints(uid);
        if (subAlgo) {
          await gpg(T0, '--quick-add-key', fpr!, subAlgo, 'sign', expire);
          [fpr] = await fingerprints(uid);
        }
        const all = await fingerprints(uid);
        const key: Key = {
          name,
          fpr: all[0]!,
          ...(subAlgo ? { sub: all[all.length - 1]! } : {}),
          binary: Buffer.alloc(0),
          armored: Buffer.alloc(0),
        };
        keys.push(key);
        return key;
      };
      const exportKey = async (key: Key): Promise<void> => {
        key.binary = await gpg(T4, '--export', key.fpr);
        key.armored = await gpg(T4, '--armor', '--export', key.fpr);
      };

      for (const algo of [
        'rsa2048',
        'rsa3072',
        'ed25519',
        'nistp256',
        'nistp384',
        'nistp521',
      ]) {
        const key = await make(algo, algo);
        await sign('default', key, key.fpr, T1);
        await sign('uncompressed', key, key.fpr, T1, '--compress-algo', 'none');
      }
      const rsa = keys[0]!;
      await sign('zlib', rsa, rsa.fpr, T1, '--compress-algo', 'zlib');
      await sign('sha1', rsa, rsa.fpr, T1, '--digest-algo', 'SHA1');
      await sign('sha224', rsa, rsa.fpr, T1, '--digest-algo', 'SHA224');
      await sign('sha512', rsa, rsa.fpr, T1, '--digest-algo', 'SHA512');
      await sign('textmode', rsa, rsa.fpr, T1, '--textmode');
      const ed = keys[2]!;
      await sign('sha224', ed, ed.fpr, T1, '--digest-algo', 'SHA224');
      const p256 = keys[3]!;
      await sign('sha512', p256, p256.fpr, T1, '--digest-algo', 'SHA512');

      // a second user ID, made primary later
      await gpg(T3, '--quick-add-uid', rsa.fpr, 'second <second@example.com>');
      await gpg(
        T3b,
        '--quick-set-primary-uid',
        rsa.fpr,
        'second <second@example.com>',
      );
      await sign('after second uid', rsa, rsa.fpr, T4);

      const weak = await make('rsa1024', 'rsa1024');
      await sign('default', weak, weak.fpr, T1);

      for (const [name, algo, sub] of [
        ['sub-ed25519', 'ed25519', 'ed25519'],
        ['sub-rsa-p256', 'rsa2048', 'nistp256/ecdsa'],
      ] as const) {
        const key = await make(name, algo, 'never', sub);
        await sign('by subkey', key, key.sub!, T1);
      }

      const expiring = await make('expiring', 'ed25519', '1y');
      await sign('default', expiring, expiring.fpr, T1);
      const subExpiring = await make(
        'sub-expiring',
        'nistp256',
        '1y',
        'nistp256/ecdsa',
      );
      await sign('by subkey', subExpiring, subExpiring.sub!, T1);
      const extended = await make('extended', 'rsa2048', '1y');
      await sign('before extension', extended, extended.fpr, T1);
      await gpg(T3, '--quick-set-expire', extended.fpr, '3y');
      await sign('after extension', extended, extended.fpr, T4);

      const revoked = await make('revoked', 'ed25519');
      await sign('default', revoked, revoked.fpr, T1);
      const rev = await readFile(
        join(home, 'openpgp-revocs.d', `${revoked.fpr}.rev`),
        'utf8',
      );
      const revFile = join(work, 'revoke.asc');
      await writeFile(revFile, rev.replace(/^:-----BEGIN/m, '-----BEGIN'));
      await gpg(T3, '--import', revFile);

      for (const key of keys) await exportKey(key);
    }, 180_000);

    afterAll(async () => {
      if (home) {
        await run('gpgconf', ['--kill', 'gpg-agent'], {
          env: { ...process.env, GNUPGHOME: home },
        }).catch(() => undefined);
      }
    });

    it('natively accepts only what openpgp.js accepts, with the same contents and identity', async () => {
      let accepted = 0;
      let openpgpAccepted = 0;
      for (const sig of sigs) {
        const key = keys.find((k) => k.name === sig.key)!;
        for (const blob of [key.binary, key.armored]) {
          for (const now of dates) {
            const r = await expectAgreement(
              [blob],
              sig.blob,
              now,
              `${sig.label} @${now.toISOString()}`,
            );
            if (r.native === 'accepted') accepted++;
            if (r.openpgp.accepted) openpgpAccepted++;
          }
        }
      }
      // The fast path must actually be taken for the common case.
      expect(accepted).toBeGreaterThan(openpgpAccepted * 0.7);
    });

    it('with every key in one keyring, binary and armored', async () => {
      const binary = Buffer.concat(keys.map((k) => k.binary));
      const armored = Buffer.concat(keys.map((k) => k.armored));
      for (const sig of sigs) {
        for (const now of [dates[2]!, dates[4]!]) {
          await expectAgreement([binary], sig.blob, now, `all ${sig.label}`);
          await expectAgreement(
            [armored],
            sig.blob,
            now,
            `all armored ${sig.label}`,
          );
        }
      }
    });

    it.each([
      ['rsa2048', 'default'],
      ['rsa2048', 'uncompressed'],
      ['rsa2048', 'zlib'],
      ['rsa2048', 'sha512'],
      ['rsa3072', 'default'],
      ['ed25519', 'default'],
      ['nistp256', 'default'],
      ['nistp384', 'uncompressed'],
      ['nistp521', 'default'],
      ['sub-ed25519', 'by subkey'],
      ['sub-rsa-p256', 'by subkey'],
      ['extended', 'after extension'],
    ])(
      '%s, %s: accepted natively at 2021-07-01 as openpgp.js does',
      async (name, label) => {
        const key = keys.find((k) => k.name === name)!;
        const sig = sigs.find((s) => s.label === `${name} ${label}`)!;
        const now = dates[3]!;
        const r = await expectAgreement([key.binary], sig.blob, now, sig.label);
        expect(r.openpgp, JSON.stringify(r.openpgp)).toMatchObject({
          accepted: true,
          keyIdentity: key.fpr,
        });
        expect(r.native).toBe('accepted');
      },
    );

    it('leaves text-mode signatures (0x01) to openpgp.js, which accepts them', async () => {
      const key = keys.find((k) => k.name === 'rsa2048')!;
      const sig = sigs.find((s) => s.label === 'rsa2048 textmode')!;
      const r = await expectAgreement(
        [key.binary],
        sig.blob,
        dates[3]!,
        sig.label,
      );
      expect(r.openpgp.accepted).toBe(true);
      expect(r.native).toBe('undecided');
    });

    it.each([
      ['rsa2048', 'sha1'],
      ['ed25519', 'sha224'],
      ['rsa1024', 'default'],
      ['expiring', 'default'],
      ['sub-expiring', 'by subkey'],
      ['revoked', 'default'],
      // gpg replaced the self-signature: none is valid at signing time
      ['extended', 'before extension'],
    ])(
      '%s, %s: rejected by openpgp.js at 2021-07-01, undecided natively',
      async (name, label) => {
        const key = keys.find((k) => k.name === name)!;
        const sig = sigs.find((s) => s.label === `${name} ${label}`)!;
        const now = dates[3]!;
        const r = await expectAgreement([key.binary], sig.blob, now, sig.label);
        expect(r.openpgp.accepted).toBe(false);
        expect(nativeOutcome([key.binary], sig.blob, now)).toBe('undecided');
      },
    );
  },
);
