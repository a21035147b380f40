import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPeers } from '../helpers/peers.js';
import {
  useContentTrustEnv,
  TRUST_PEERS,
} from '../integration/copy-content-trust-setup.js';

// Attack: an image pushed without any trust data (anyone with push rights
// can do that). Content trust must refuse it, as docker pull does, before
// any blob moves, not fall back to the registry tag.
describeWithPeers(
  'copy with content trust of a repository that has no trust data',
  [...TRUST_PEERS],
  () => {
    const env = useContentTrustEnv();

    it('is refused with docker wording naming the repository and the server; nothing is read or written', async () => {
      await env.push('attack/untrusted', 'v1', false);
      const out = join(await env.peers.tempDir(), 'out');
      const before = env.proxy.log.length;
      const r = await env.imgsign([
        'copy',
        '--insecure-policy',
        '--src-tls-verify=false',
        `docker://${env.proxy.host}/attack/untrusted:v1`,
        `dir:${out}`,
      ]);
      expect(r.code).toBe(1);
      const gun = `${env.proxy.host}/attack/untrusted`;
      expect(r.stderr).toContain(
        `remote trust data does not exist for ${gun}: ${env.peers.serverHost} does not have trust data for ${gun}`,
      );
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(env.proxy.log.slice(before)).toEqual([]);
    });
  },
);
