import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guessManifestMediaType } from '../../../src/manifest/guess.js';
import { MediaType } from '../../../src/manifest/media-types.js';
import { manifestFixtures } from '../../helpers/paths.js';

const fixture = (name: string) => readFileSync(join(manifestFixtures, name));

describe('guessManifestMediaType', () => {
  it.each([
    ['v2s2.manifest.json', MediaType.dockerV2Schema2],
    ['v2list.manifest.json', MediaType.dockerV2List],
    ['ociv1.manifest.json', MediaType.ociManifest],
    ['ociv1.image.index.json', MediaType.ociIndex],
    ['v2s1.manifest.json', MediaType.dockerV2Schema1Signed],
    ['v2s1-unsigned.manifest.json', MediaType.dockerV2Schema1],
    // Without a mediaType member, the config type or `manifests` decides.
    ['ociv1nomime.manifest.json', MediaType.ociManifest],
    ['ociv1nomime.image.index.json', MediaType.ociIndex],
    ['ociv1nomime.artifact.json', MediaType.ociManifest],
    ['v2s2nomime.manifest.json', MediaType.dockerV2Schema2],
  ])('recognises %s', (name, expected) => {
    expect(guessManifestMediaType(fixture(name))).toBe(expected);
  });

  it('returns "" for bytes that are not a JSON object', () => {
    expect(guessManifestMediaType(fixture('non-json.manifest.json'))).toBe('');
    expect(guessManifestMediaType(Buffer.from('[1,2]'))).toBe('');
    expect(guessManifestMediaType(Buffer.from(''))).toBe('');
  });

  it('returns "" for an unknown schemaVersion', () => {
    expect(
      guessManifestMediaType(fixture('unknown-version.manifest.json')),
    ).toBe('');
  });

  it('treats "signatures": null in schema1 as unsigned', () => {
    const m = Buffer.from('{"schemaVersion":1,"signatures":null}');
    expect(guessManifestMediaType(m)).toBe(MediaType.dockerV2Schema1);
  });
});
