/**
 * Lazy access to openpgp.js: the module is large, so commands that never
 * touch OpenPGP (help, manifest-digest, policy checks) must not load it.
 */
type OpenPGP = typeof import('openpgp');

let loading: Promise<OpenPGP> | undefined;

export function loadOpenPGP(): Promise<OpenPGP> {
  loading ??= import('openpgp');
  return loading;
}

/** Whether openpgp.js has been requested in this process (lets tests prove the native fast paths). */
export function isOpenPGPLoaded(): boolean {
  return loading !== undefined;
}
