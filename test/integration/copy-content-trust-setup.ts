/**
 * Shared set-up for `imgsign copy` with Docker Content Trust against real
 * peers: notary-server + notary-signer (test/helpers/notary.ts) and a
 * docker-registry behind a recording/tampering proxy (test/servers/
 * registry.ts). Images are addressed through the proxy, so the Notary GUN
 * is `<proxy host>/<repo>` and every registry request is logged.
 * Used by test/integration/copy-content-trust*.test.ts and
 * test/security/copy-trust-*.test.ts. Start in beforeAll, stop() in afterAll.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import {
  startNotaryPeers,
  TEST_PASSPHRASE,
  type NotaryPeers,
} from '../helpers/notary.js';
import {
  makeSmallImage,
  startRegistry,
  startRegistryProxy,
  writeDirImage,
  type ProxyTamper,
  type RegistryProxy,
  type SmallImage,
  type TestRegistry,
} from '../servers/registry.js';

export const TRUST_PEERS = [
  'notary-server',
  'notary-signer',
  'notary',
  'registry',
] as const;

export interface ContentTrustEnv {
  peers: NotaryPeers;
  registry: TestRegistry;
  /** Where images are addressed (`127.0.0.1:PORT`): the GUN's registry part. */
  proxy: RegistryProxy;
  dockerConfig: string;
  trustDir: string;
  /** Answers to replace upstream ones (set per test; reset with undefined). */
  tamper: {
    fn?: (
      method: string,
      path: string,
      body: Buffer,
    ) => ProxyTamper | undefined;
  };
  /** `imgsign ARGS` with DOCKER_CONTENT_TRUST=1 and the trust env; `env` overrides. */
  imgsign(
    args: string[],
    env?: Record<string, string | undefined>,
  ): Promise<CliResult>;
  /** A new small image written as a dir: layout; returns it and its dir. */
  dirImage(label: string): Promise<{ img: SmallImage; dir: string }>;
  /** `imgsign copy dir:… docker://PROXY/repo:tag`, content trust on or off; must succeed. */
  push(
    repo: string,
    tag: string,
    trust: boolean,
  ): Promise<{ img: SmallImage; result: CliResult }>;
  /** `notary list GUN` with the shared trust dir. */
  notaryList(gun: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * One environment for the enclosing describe: started before its tests
 * (filled into the returned object), stopped after them.
 */
export function useContentTrustEnv(): ContentTrustEnv {
  const env = {} as ContentTrustEnv;
  beforeAll(async () => {
    Object.assign(env, await startContentTrustEnv());
  }, 120_000);
  afterAll(async () => {
    await env.stop?.();
  });
  return env;
}

export async function startContentTrustEnv(): Promise<ContentTrustEnv> {
  const peers = await startNotaryPeers();
  const registry = await startRegistry();
  const tamper: ContentTrustEnv['tamper'] = {};
  const proxy = await startRegistryProxy({
    target: registry.url,
    tamper: (m, p, b) => tamper.fn?.(m, p, b),
  });
  const dockerConfig = await peers.dockerConfigDir();
  const trustDir = join(dockerConfig, 'trust');
  const home = await peers.tempDir();
  // The registry user: the signer created when a repository is new.
  await writeFile(
    join(dockerConfig, 'config.json'),
    JSON.stringify({
      auths: {
        [proxy.host]: {
          auth: Buffer.from('alice:secret-pass').toString('base64'),
        },
      },
    }),
  );
  const imgsign = (
    args: string[],
    env: Record<string, string | undefined> = {},
  ): Promise<CliResult> =>
    runCli(args, {
      env: {
        DOCKER_CONTENT_TRUST: '1',
        DOCKER_CONFIG: dockerConfig,
        DOCKER_CONTENT_TRUST_SERVER: peers.serverUrl,
        DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: TEST_PASSPHRASE,
        DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: TEST_PASSPHRASE,
        HOME: home,
        XDG_RUNTIME_DIR: undefined,
        REGISTRY_AUTH_FILE: undefined,
        ...env,
      },
    });
  const dirImage = async (label: string) => {
    const img = await makeSmallImage(`${label} ${Math.random()}\n`);
    const dir = await peers.tempDir();
    await writeDirImage(dir, img);
    return { img, dir };
  };
  return {
    peers,
    registry,
    proxy,
    dockerConfig,
    trustDir,
    tamper,
    imgsign,
    dirImage,
    async push(repo, tag, trust) {
      const { img, dir } = await dirImage(`${repo}:${tag}`);
      const result = await imgsign(
        [
          'copy',
          '--insecure-policy',
          '--dest-tls-verify=false',
          `dir:${dir}`,
          `docker://${proxy.host}/${repo}:${tag}`,
        ],
        { DOCKER_CONTENT_TRUST: trust ? '1' : '0' },
      );
      if (result.code !== 0) {
        throw new Error(
          `push ${repo}:${tag} failed (${result.code}): ${result.stderr}`,
        );
      }
      return { img, result };
    },
    notaryList: (gun) =>
      peers.notaryCli(['list', gun], { trustDir }).then((r) => r.stdout),
    async stop() {
      await proxy.stop();
      await registry.stop();
      await peers.stop();
    },
  };
}
