import { describe, expect, it } from 'vitest';
import { parseTrustImage } from '../../src/notary/publish/open.js';
import { signTag } from '../../src/notary/publish/docker-sign.js';
import { runCli } from '../helpers/cli.js';
import { GUN, testRepo } from '../unit/notary/publish/setup.js';

// `trust sign` signs a TAG: a digest reference (alone or with a tag) would
// publish a target named after nothing the user chose; docker refuses it
// with "cannot use a digest reference for IMAGE:TAG", before any request.
const digest = `sha256:${'c'.repeat(64)}`;

describe('when the image to sign is a digest reference', () => {
  it.each([`${GUN}@${digest}`, `${GUN}:v1@${digest}`])(
    '%s is refused by the reference check',
    (image) => {
      expect(() => parseTrustImage(image, true)).toThrow(
        'cannot use a digest reference for IMAGE:TAG',
      );
    },
  );

  it('imgsign trust sign refuses it and exits with a usage error, without network access', async () => {
    const r = await runCli(['trust', 'sign', `127.0.0.1:9/app@${digest}`], {
      env: { DOCKER_CONTENT_TRUST_SERVER: 'https://127.0.0.1:9' },
    });
    expect(r.stderr).toBe(
      'imgsign: cannot use a digest reference for IMAGE:TAG\n',
    );
    expect(r.code).toBe(2);
  });

  it('a target digest that is not sha256 is refused (docker targets carry sha256 only)', async () => {
    const t = await testRepo();
    try {
      await expect(
        signTag(t.ctx, {
          image: `${GUN}:v1`,
          tag: 'v1',
          digest: `sha512:${'d'.repeat(128)}`,
          length: 1,
          username: 'alice',
          out: () => {},
        }),
      ).rejects.toThrow(/signs sha256 manifest digests only/);
      expect(t.server.publishes).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});
