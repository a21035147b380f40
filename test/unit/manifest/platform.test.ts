import { describe, expect, it } from 'vitest';
import { MediaType } from '../../../src/manifest/media-types.js';
import type { ManifestList } from '../../../src/manifest/parse.js';
import {
  chooseInstance,
  currentPlatform,
} from '../../../src/manifest/platform.js';

function list(
  platforms: { os: string; architecture: string; variant?: string }[],
): ManifestList {
  return {
    kind: 'list',
    mediaType: MediaType.ociIndex,
    json: {},
    manifests: platforms.map((platform, i) => ({
      digest: `sha256:${String(i).repeat(64)}`,
      size: 100,
      mediaType: MediaType.ociManifest,
      platform,
    })),
  };
}

const l = list([
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm', variant: 'v6' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'windows', architecture: 'amd64' },
]);

describe('chooseInstance', () => {
  it('maps the running platform to GOOS/GOARCH names', () => {
    const p = currentPlatform();
    expect(p.arch).not.toBe('x64');
    expect(p.os).not.toBe('win32');
    if (process.arch === 'x64') expect(p.arch).toBe('amd64');
  });

  it('picks by os and arch', () => {
    expect(
      chooseInstance(l, { os: 'windows', arch: 'amd64' }).platform?.os,
    ).toBe('windows');
    expect(chooseInstance(l, { os: 'linux', arch: 'amd64' }).digest).toBe(
      l.manifests[0]!.digest,
    );
  });

  it('prefers the exact variant and falls back to older arm variants', () => {
    expect(
      chooseInstance(l, { os: 'linux', arch: 'arm', variant: 'v7' }).platform
        ?.variant,
    ).toBe('v7');
    expect(
      chooseInstance(l, { os: 'linux', arch: 'arm', variant: 'v8' }).platform
        ?.variant,
    ).toBe('v7');
    expect(
      chooseInstance(l, { os: 'linux', arch: 'arm' }).platform?.variant,
    ).toBe('v7');
  });

  it('accepts an arm64 instance labelled v8 when no variant is asked for', () => {
    expect(
      chooseInstance(l, { os: 'linux', arch: 'arm64' }).platform?.architecture,
    ).toBe('arm64');
  });

  it('fails naming what the list has when nothing matches', () => {
    expect(() => chooseInstance(l, { os: 'linux', arch: 's390x' })).toThrow(
      /no image found.*linux\/s390x.*linux\/amd64/,
    );
    expect(() =>
      chooseInstance(l, { os: 'linux', arch: 'arm', variant: 'v5' }),
    ).toThrow(/no image found/);
  });
});
