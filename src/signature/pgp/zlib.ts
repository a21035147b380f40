import { createRequire } from 'node:module';

let loaded: typeof import('node:zlib') | undefined;

/**
 * node:zlib, loaded when a compressed packet is first met: signatures made
 * by imgsign and openpgp.js are not compressed (gpg's are), and loading it
 * up front cost every command that links the OpenPGP code ~2 ms of start-up.
 */
export function zlib(): typeof import('node:zlib') {
  loaded ??= createRequire(import.meta.url)(
    'node:zlib',
  ) as typeof import('node:zlib');
  return loaded;
}
