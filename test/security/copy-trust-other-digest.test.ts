import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithPeers } from '../helpers/peers.js';
import {
  useContentTrustEnv,
  TRUST_PEERS,
} from '../integration/copy-content-trust-setup.js';

// Attack: the registry answers the request for the signed digest with
// another manifest (trust data vouches for digest A, the bytes are B's).
// The copy must check the bytes against the trusted digest and refuse.
describeWithPeers(
  'copy with content trust when the registry serves other bytes for the signed digest',
  [...TRUST_PEERS],
  () => {
    const env = useContentTrustEnv();
    afterAll(() => {
      env.tamper.fn = undefined;
    });

    it('is refused as a digest mismatch and nothing is written', async () => {
      const signed = await env.push('attack/swap', 'v1', true);
      const { img: other } = await env.push('attack/other', 'v1', false);
      env.tamper.fn = (method, path) =>
        method === 'GET' &&
        path === `/v2/attack/swap/manifests/${signed.img.manifestDigest}`
          ? {
              body: other.manifest,
              headers: { 'docker-content-digest': other.manifestDigest },
            }
          : undefined;
      const out = join(await env.peers.tempDir(), 'out');
      const r = await env.imgsign([
        'copy',
        '--insecure-policy',
        '--src-tls-verify=false',
        `docker://${env.proxy.host}/attack/swap:v1`,
        `dir:${out}`,
      ]);
      env.tamper.fn = undefined;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/digest|does not match/i);
      expect(r.stderr).toContain(signed.img.manifestDigest);
      expect(existsSync(out)).toBe(false);
    });
  },
);
