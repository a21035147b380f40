import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeWithPeers } from '../helpers/peers.js';
import {
  useContentTrustEnv,
  TRUST_PEERS,
} from '../integration/copy-content-trust-setup.js';

// Attack: policy.json forbids one tag (`"HOST/repo:v1": [reject]`) while
// the repository scope allows everything. With content trust on, the copy
// used to evaluate the policy against the `repo@sha256:…` Notary resolved,
// so the tag scope never applied and the forbidden tag was copied. The
// policy must see the tag the user gave, as for a plain copy.
describeWithPeers(
  'copy with content trust and a tag-scoped policy entry',
  [...TRUST_PEERS],
  () => {
    const env = useContentTrustEnv();
    let policy: string;
    let repo: string;

    beforeAll(async () => {
      repo = `${env.proxy.host}/attack/scoped`;
      await env.push('attack/scoped', 'v1', true);
      await env.push('attack/scoped', 'v2', true);
      policy = join(await env.peers.tempDir(), 'policy.json');
      await writeFile(
        policy,
        JSON.stringify({
          default: [{ type: 'reject' }],
          transports: {
            docker: {
              [`${repo}:v1`]: [{ type: 'reject' }],
              [repo]: [{ type: 'insecureAcceptAnything' }],
            },
          },
        }),
      );
    }, 120_000);

    const pull = async (
      tag: string,
      extra: string[] = [],
      e: Record<string, string> = {},
    ) => {
      const out = join(await env.peers.tempDir(), 'out');
      const before = env.proxy.log.length;
      const r = await env.imgsign(
        [
          'copy',
          '--policy',
          policy,
          '--src-tls-verify=false',
          ...extra,
          `docker://${repo}:${tag}`,
          `dir:${out}`,
        ],
        e,
      );
      const blobs = env.proxy.log
        .slice(before)
        .filter((l) => l.path.includes('/blobs/'));
      return { r, out, blobs };
    };

    const rejection = (tag: string) =>
      `Source image rejected by ${policy}: Running image docker://${repo}:${tag} is rejected by policy: requirement 1 (reject): Running image docker://${repo}:${tag} is rejected by policy.`;

    it('rejects the forbidden tag pulled through Notary, before any blob is read', async () => {
      const { r, out, blobs } = await pull('v1');
      expect(r.stderr).toContain(rejection('v1'));
      expect(r.code).toBe(1);
      expect(existsSync(out)).toBe(false);
      expect(blobs).toEqual([]);
    });

    it('rejects it in a --dry-run --json as well (the decision is for the tag)', async () => {
      const { r, out } = await pull('v1', ['--dry-run', '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toEqual({
        error: { code: 'POLICY_REQUIREMENT', message: rejection('v1') },
      });
      expect(existsSync(out)).toBe(false);
    });

    it('copies another tag of the repository (the repository scope applies to it)', async () => {
      const { r, out } = await pull('v2', ['--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as {
        source: string;
        contentTrust: { source: { tag: string } };
      };
      expect(json.source).toBe(`docker://${repo}:v2`);
      expect(json.contentTrust.source.tag).toBe('v2');
      expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    });

    it('gives the same verdict as a plain copy of the tag (content trust off)', async () => {
      const { r } = await pull('v1', [], { DOCKER_CONTENT_TRUST: '0' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(rejection('v1'));
      expect(r.stderr).not.toContain('content trust');
    });
  },
);
