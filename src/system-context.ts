import type { Dispatcher } from 'undici';

/**
 * Everything the library needs from the environment, passed explicitly.
 * Only cli/ reads environment variables or $HOME and fills this in, so the
 * library can be driven by tests (and later a fault proxy) without globals.
 */
export interface SystemContext {
  /** HTTP dispatcher for registries, lookasides and notary (undici Agent or a test proxy). */
  dispatcher?: Dispatcher;
  /** registries.d directory to use (`--registries.d`); undefined = the default search. */
  registriesDirPath?: string;
  /** policy.json path (`--policy`). */
  signaturePolicyPath?: string;
  /** Home directory used for per-user defaults ($HOME). */
  homeDir?: string;
  /** Whether the effective user is root (selects /var/lib vs ~/.local defaults). */
  isRoot?: boolean;
  /** imgsign's own keyring directory (IMGSIGN_HOME). */
  imgsignHome?: string;
  /** GnuPG home for keys kept in GnuPG ($GNUPGHOME or ~/.gnupg). */
  gnupgHome?: string;
  /** Registry auth file (`--authfile`). */
  authFilePath?: string;
  /** Docker config directory ($DOCKER_CONFIG or ~/.docker). */
  dockerConfigDir?: string;
  /** XDG_RUNTIME_DIR, for containers/auth.json. */
  xdgRuntimeDir?: string;
  /** Docker Engine API endpoint (DOCKER_HOST). */
  dockerHost?: string;
  /** Directory of the shipped defaults (policies/, registries.d/) in this package. */
  packageRoot?: string;
  /** Current time source, for expiry checks (tests inject a fixed clock). */
  now?: () => Date;
}
