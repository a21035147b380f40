import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures } from '../helpers/paths.js';

describe('imgsign untrusted-signature-dump-without-verification', () => {
  it('shows the claims and short key ID of image.signature', async () => {
    const r = await runCli([
      'untrusted-signature-dump-without-verification',
      join(signatureFixtures, 'image.signature'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      UntrustedDockerManifestDigest:
        'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55',
      UntrustedDockerReference: 'testing/manifest',
      UntrustedCreatorID: 'atomic ',
      UntrustedTimestamp: '2016-03-17T18:35:13Z',
      UntrustedShortKeyIdentifier: 'E932F44B23E8DD43',
    });
  });
  it('still shows the payload of a corrupt V3 signature and an unknown signer', async () => {
    const corrupt = await runCli([
      'untrusted-signature-dump-without-verification',
      join(signatureFixtures, 'corrupt.signature-v3'),
    ]);
    expect(JSON.parse(corrupt.stdout)).toMatchObject({
      UntrustedDockerReference: 'testing/manifest',
    });
    const unknown = await runCli([
      'untrusted-signature-dump-without-verification',
      join(signatureFixtures, 'unknown-key.signature'),
      '--json',
    ]);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      UntrustedShortKeyIdentifier: '5F9470E3BC6C3B55',
      UntrustedCreatorID: 'atomic 0.1.13-dev',
    });
  });
  it('fails on a payload that is not a container signature', async () => {
    const r = await runCli([
      'untrusted-signature-dump-without-verification',
      join(signatureFixtures, 'invalid-blob.signature'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not valid JSON/);
  });
});
