import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPeers } from '../helpers/peers.js';
import {
  useContentTrustEnv,
  TRUST_PEERS,
} from '../integration/copy-content-trust-setup.js';

// Attack: the registry tag is moved to a manifest the publisher never
// signed. With content trust on, imgsign copy must copy the digest Notary
// vouches for and never read the registry's tag at all.
describeWithPeers(
  'copy with content trust when the registry tag was moved to an unsigned manifest',
  [...TRUST_PEERS],
  () => {
    const env = useContentTrustEnv();

    it('copies the signed digest and never asks the registry for the tag', async () => {
      const signed = await env.push('attack/moved', 'v1', true);
      const evil = await env.push('attack/moved', 'v1', false);
      expect(evil.img.manifestDigest).not.toBe(signed.img.manifestDigest);
      const out = join(await env.peers.tempDir(), 'out');
      const before = env.proxy.log.length;
      const r = await env.imgsign([
        'copy',
        '--insecure-policy',
        '--src-tls-verify=false',
        `docker://${env.proxy.host}/attack/moved:v1`,
        `dir:${out}`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await readFile(join(out, 'manifest.json'))).toEqual(
        signed.img.manifest,
      );
      const paths = env.proxy.log.slice(before).map((l) => l.path);
      expect(paths).not.toContain('/v2/attack/moved/manifests/v1');
      expect(paths).toContain(
        `/v2/attack/moved/manifests/${signed.img.manifestDigest}`,
      );
      for (const layer of evil.img.layers) {
        expect(paths).not.toContain(`/v2/attack/moved/blobs/${layer.digest}`);
      }
    });
  },
);
