import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { listenOnLoopback } from './loopback.js';
import { join } from 'node:path';

/**
 * A small docker token-auth issuer (the protocol of distribution's
 * `auth: token`): GET /token?service=…&scope=… with HTTP Basic credentials,
 * answering an ES256 JWT that names the granted actions. The registry
 * trusts it through `rootcertbundle` (a self-signed certificate made with
 * the openssl CLI) and the libtrust key ID in the JWT `kid` header.
 */
export interface TokenIssuer {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file for the registry's rootcertbundle. */
  certPath: string;
  /** Every request the issuer saw (scope lists and whether credentials came). */
  requests: { scopes: string[]; authenticated: boolean }[];
  stop(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** libtrust key ID: base32 of the first 240 bits of SHA-256(SPKI DER), in groups of four. */
export function libtrustKeyID(spkiDer: Buffer): string {
  const hash = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}

export async function startTokenIssuer(options: {
  dir: string;
  username: string;
  password: string;
}): Promise<TokenIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  const keyPath = join(options.dir, 'token.key');
  const certPath = join(options.dir, 'token.crt');
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyPath,
      '-subj',
      '/CN=imgsign-test-token-issuer',
      '-days',
      '2',
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  const kid = libtrustKeyID(publicKey.export({ type: 'spki', format: 'der' }));
  const service = 'imgsign-test-registry';
  const issuer = 'imgsign-test-issuer';
  const requests: TokenIssuer['requests'] = [];
  const expected =
    'Basic ' +
    Buffer.from(`${options.username}:${options.password}`).toString('base64');

  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://issuer');
    const scopes = url.searchParams.getAll('scope');
    const authenticated = req.headers.authorization === expected;
    requests.push({ scopes, authenticated });
    if (req.headers.authorization !== undefined && !authenticated) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"details":"invalid credentials"}');
      return;
    }
    // Anonymous users get nothing; the test user gets what it asks for.
    const access = authenticated
      ? scopes.map((s) => {
          const [type, ...rest] = s.split(':');
          const actions = rest.pop() ?? '';
          return { type, name: rest.join(':'), actions: actions.split(',') };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', kid };
    const claims = {
      iss: issuer,
      sub: authenticated ? options.username : '',
      aud: url.searchParams.get('service') ?? service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(input), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const token = `${input}.${b64url(sig)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  const { url, stop } = await listenOnLoopback(server);
  return {
    realm: `${url}/token`,
    service,
    issuer,
    certPath,
    requests,
    stop,
  };
}
