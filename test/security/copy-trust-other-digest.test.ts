import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPeers } from '../helpers/peers.js';
import {
  startContentTrustEnv,
  TRUST_PEERS,
  type ContentTrustEnv,
} from '../integration/copy-content-trust-setup.js';

// Attack: the registry answers the request for the signed digest with
// another manifest (trust data vouches for digest A, the bytes are B's).
// The copy must check the bytes against the trusted digest and refuse.
describeWithPeers(
  'copy with content trust when the registry serves other bytes for the signed digest',
  [...TRUST_PEERS],
  () => {
    let env: ContentTrustEnv;
    beforeAll(async () => {
      env = await startContentTrustEnv();
    }, 120_000);
    afterAll(async () => {
      env.tamper.fn = undefined;
      await env?.stop();
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
