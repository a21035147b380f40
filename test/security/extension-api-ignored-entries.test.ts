import { describe, expect, it } from 'vitest';
import {
  answerSignatures,
  withScriptedExtensionAPI,
} from './hostile-extension-api.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('when the list holds entries of another type or schemaVersion', () => {
  it('uses only schemaVersion 2 "atomic" entries, ignoring the rest (even with invalid content)', async () => {
    await withScriptedExtensionAPI(
      (_q, _b, res) =>
        answerSignatures(res, [
          { schemaVersion: 1, type: 'atomic', name: 'a', content: b64('v1') },
          {
            version: 2,
            type: 'atomic',
            name: 'b',
            content: b64('version-not-schemaVersion'),
          },
          {
            schemaVersion: '2',
            type: 'atomic',
            name: 'c',
            content: b64('string-2'),
          },
          {
            schemaVersion: 2,
            type: 'AtomicImageV1',
            name: 'd',
            content: b64('openshift-default'),
          },
          {
            schemaVersion: 2,
            type: 'sigstore',
            name: 'e',
            content: '!!not base64!!',
          },
          { schemaVersion: 2, name: 'f', content: b64('no-type') },
          {
            schemaVersion: 2,
            type: 'atomic',
            name: 'g',
            content: b64('the-one'),
          },
        ]),
      async ({ store, ref }) => {
        const sigs = await store.read(ref, `sha256:${'1'.repeat(64)}`);
        expect(sigs.map(String)).toEqual(['the-one']);
      },
    );
  });
});
