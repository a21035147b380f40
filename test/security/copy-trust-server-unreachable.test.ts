import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPeers } from '../helpers/peers.js';
import { freePort } from '../servers/registry.js';
import {
  useContentTrustEnv,
  TRUST_PEERS,
} from '../integration/copy-content-trust-setup.js';

// Attack: the notary server is blocked (or DNS points elsewhere). With
// content trust on, the copy must fail closed (no verdict), never fall
// back to the registry's tag.
describeWithPeers(
  'copy with content trust when the notary server cannot be reached',
  [...TRUST_PEERS],
  () => {
    const env = useContentTrustEnv();

    it('fails with "error contacting notary server", naming it, and copies nothing', async () => {
      await env.push('attack/blocked', 'v1', true);
      const dead = `https://127.0.0.1:${await freePort()}`;
      const out = join(await env.peers.tempDir(), 'out');
      const before = env.proxy.log.length;
      const r = await env.imgsign(
        [
          'copy',
          '--insecure-policy',
          '--src-tls-verify=false',
          `docker://${env.proxy.host}/attack/blocked:v1`,
          `dir:${out}`,
        ],
        // A fresh trust directory: no cached trust data to fall back on.
        {
          DOCKER_CONTENT_TRUST_SERVER: dead,
          DOCKER_CONFIG: await env.peers.dockerConfigDir(),
        },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        `content trust for ${env.proxy.host}/attack/blocked:v1: error contacting notary server ${dead}`,
      );
      expect(existsSync(out)).toBe(false);
      expect(env.proxy.log.slice(before)).toEqual([]);
    });
  },
);
