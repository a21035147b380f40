import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import { startNotaryPeers, type NotaryPeers } from '../helpers/notary.js';
import { NotaryHTTPStore } from '../../src/notary/http-store.js';
import { NotaryServerUnavailableError } from '../../src/notary/http-errors.js';

const MiB = 1024 * 1024;

// notary-server with registry token auth (test/servers/token-issuer.ts):
// the store answers the 401 challenge with a token for repository:<GUN>.
describeWithPeers(
  'NotaryHTTPStore against a notary-server requiring token auth',
  ['notary-server', 'notary-signer'],
  () => {
    let peers: NotaryPeers;
    const dispatcher = new Agent({ keepAliveTimeout: 10 });
    const stores: NotaryHTTPStore[] = [];
    const gun = 'example.com/imgsign/authed';
    const storeWith = (credentials?: {
      username: string;
      password: string;
    }): NotaryHTTPStore => {
      const s = new NotaryHTTPStore({
        serverURL: peers.serverUrl,
        caFile: peers.caFile,
        sys: { dispatcher },
        ...(credentials ? { credentials } : {}),
      });
      stores.push(s);
      return s;
    };

    beforeAll(async () => {
      peers = await startNotaryPeers({ auth: 'token' });
    });
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await peers?.stop();
      await dispatcher.close();
    });

    it('gets a token with the credentials and the GUN scope', async () => {
      const store = storeWith({
        username: peers.username!,
        password: peers.password!,
      });
      const key = await store.getServerKey(gun, 'timestamp');
      expect(key.keytype).toBe('ecdsa');
      expect(
        await store.get(gun, { role: 'root', maxBytes: MiB }),
      ).toBeUndefined();
      const seen = peers.tokenIssuer!.requests;
      expect(seen.some((r) => r.authenticated)).toBe(true);
      expect(seen.flatMap((r) => r.scopes)).toEqual(
        expect.arrayContaining([
          `repository:${gun}:push,pull`,
          `repository:${gun}:pull`,
        ]),
      );
    });

    it('reports anonymous access as not authorized, not as missing metadata', async () => {
      const err = await storeWith()
        .get(gun, { role: 'root', maxBytes: MiB })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotaryServerUnavailableError);
      expect(err).toMatchObject({ status: 401 });
      expect((err as Error).message).toMatch(/not authorized/);
    });

    it('reports wrong credentials as a failed token request', async () => {
      const err = await storeWith({ username: 'nobody', password: 'wrong' })
        .get(gun, { role: 'root', maxBytes: MiB })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotaryServerUnavailableError);
      expect((err as Error).message).toMatch(
        /getting a token .*invalid username\/password/,
      );
    });
  },
);
