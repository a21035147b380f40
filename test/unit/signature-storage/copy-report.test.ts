import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CopyResult } from '../../../src/copy/types.js';
import {
  plannedSignatureWrites,
  signatureWritesOfCopy,
  signedManifests,
} from '../../../src/signature-storage/copy-report.js';
import { parseImageName } from '../../../src/transports/all.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

function result(over: Partial<CopyResult>): CopyResult {
  return {
    source: 'dir:/s',
    destination: 'dir:/d',
    sourceManifestDigest: d('1'),
    manifestDigest: d('1'),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    digestChanged: false,
    blobs: [],
    instances: [],
    signaturesCarried: 0,
    signaturesCreated: 0,
    signaturesWritten: 0,
    dryRun: false,
    ...over,
  };
}

const listResult = result({
  manifestDigest: d('a'),
  instances: [
    {
      sourceDigest: d('b'),
      digest: d('b'),
      mediaType: 'm',
      signaturesCarried: 1,
      signaturesCreated: 1,
    },
    {
      sourceDigest: d('c'),
      digest: d('c'),
      mediaType: 'm',
      signaturesCarried: 0,
      signaturesCreated: 0,
    },
  ],
  signaturesCarried: 1,
  signaturesCreated: 2,
  signaturesWritten: 3,
});

describe('where a copy writes signatures', () => {
  it('counts the list and each instance apart, skipping manifests without signatures', () => {
    expect(signedManifests(listResult)).toEqual([
      { digest: d('a'), instance: false, count: 1 },
      { digest: d('b'), instance: true, count: 2 },
    ]);
    expect(signedManifests(result({}))).toEqual([]);
  });

  it('dir: names signature-N for the top manifest and <hex>.signature-N for instances', async () => {
    const dest = parseImageName('dir:/tmp/out');
    const writes = signatureWritesOfCopy(listResult, dest, []);
    expect(writes).toEqual([
      {
        digest: d('a'),
        kind: 'dir',
        store: 'dir file:///tmp/out',
        count: 1,
        locations: [join(resolve('/tmp/out'), 'signature-1')],
      },
      {
        digest: d('b'),
        kind: 'dir',
        store: 'dir file:///tmp/out',
        count: 2,
        locations: [
          join('/tmp/out', `${'b'.repeat(64)}.signature-1`),
          join('/tmp/out', `${'b'.repeat(64)}.signature-2`),
        ],
      },
    ]);
    // A dry run predicts the same files without a resolver.
    expect(
      await plannedSignatureWrites({ ...listResult, dryRun: true }, dest, {}),
    ).toEqual(writes);
  });

  it('docker:// reports what the recording resolver saw, with the counts of the copy', () => {
    const dest = parseImageName('docker://r.example.com/a:1');
    const writes = signatureWritesOfCopy(
      result({ signaturesCreated: 1, signaturesWritten: 1 }),
      dest,
      [
        {
          image: 'r.example.com/a:1',
          digest: d('1'),
          kind: 'extension-api',
          store: 'extension API https://r.example.com',
          locations: ['https://r.example.com/extensions/v2/a/signatures/x'],
        },
      ],
    );
    expect(writes).toEqual([
      {
        digest: d('1'),
        kind: 'extension-api',
        store: 'extension API https://r.example.com',
        count: 1,
        locations: ['https://r.example.com/extensions/v2/a/signatures/x'],
      },
    ]);
  });

  it('nothing to predict when nothing is signed, and no network is touched', async () => {
    expect(
      await plannedSignatureWrites(
        result({ dryRun: true }),
        parseImageName('docker://r.invalid/a:1'),
        {},
      ),
    ).toEqual([]);
  });
});
