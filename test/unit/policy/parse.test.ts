import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyFormatError } from '../../../src/errors.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { signatureFixtures } from '../../helpers/paths.js';

const fixturePath = join(signatureFixtures, 'policy.json');

function parseError(policy: unknown): PolicyFormatError {
  const text =
    typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2);
  try {
    parsePolicy(text, 'test.json');
  } catch (err) {
    if (err instanceof PolicyFormatError) return err;
    throw err;
  }
  throw new Error(`policy parsed: ${text}`);
}

const reject = { type: 'reject' };
const signedBy = (extra: Record<string, unknown>) => ({
  type: 'signedBy',
  keyType: 'GPGKeys',
  ...extra,
});
const withScope = (transport: string, scope: string, reqs: unknown) => ({
  default: [reject],
  transports: { [transport]: { [scope]: reqs } },
});
const withDockerReq = (req: unknown) =>
  withScope('docker', 'example.com', [req]);

describe('parsePolicy on the containers/image fixture', () => {
  const policy = parsePolicy(readFileSync(fixturePath), fixturePath);

  it('parses every scope and requirement type', () => {
    expect(policy.default).toEqual([{ type: 'reject' }]);
    expect(policy.transports.get('dir')?.get('')).toEqual([
      { type: 'insecureAcceptAnything' },
    ]);
    const docker = policy.transports.get('docker');
    expect([...(docker?.keys() ?? [])]).toContain('*.access.redhat.com');
    expect(docker?.get('example.com/production')).toEqual([
      {
        type: 'signedBy',
        keyType: 'GPGKeys',
        keyPath: '/keys/employee-gpg-keyring',
        signedIdentity: { type: 'matchRepoDigestOrExact' },
      },
    ]);
    expect(docker?.get('example.com/hardened')?.[2]).toEqual({
      type: 'signedBaseLayer',
      baseLayerIdentity: {
        type: 'exactRepository',
        dockerRepository: 'registry.access.redhat.com/rhel7/rhel',
      },
    });
    expect(docker?.get('private-mirror:5000/vendor-mirror')?.[0]).toMatchObject(
      {
        signedIdentity: {
          type: 'remapIdentity',
          prefix: 'private-mirror:5000/vendor-mirror',
          signedPrefix: 'vendor.example.com',
        },
      },
    );
    expect(docker?.get('bogus/key-data-example')?.[0]).toMatchObject({
      keyType: 'signedByGPGKeys',
      keyData: Buffer.from('nonsense'),
    });
    expect(docker?.get('registry.redhat.io/beta')?.[0]).toMatchObject({
      keyPaths: [
        '/keys/RH-production-signing-key-gpg-keyring',
        '/keys/RH-beta-signing-key-gpg-keyring',
      ],
    });
    expect(docker?.get('example.com/sigstore/key-path-example')?.[0]).toEqual({
      type: 'sigstoreSigned',
      keyPath: '/keys/public-key',
      signedIdentity: { type: 'matchRepository' },
    });
    expect(docker?.get('example.com/hardened-x509')?.[0]).toMatchObject({
      keyType: 'X509Certificates',
    });
  });

  it('rejects an empty file (/dev/null)', () => {
    expect(() => parsePolicy(readFileSync('/dev/null'), '/dev/null')).toThrow(
      'invalid policy in /dev/null: the file is empty (line 1, column 1)',
    );
  });
});

describe('parsePolicy accepts', () => {
  it.each([
    ['keyPaths: []', withDockerReq(signedBy({ keyPaths: [] }))],
    ['keyData: ""', withDockerReq(signedBy({ keyData: '' }))],
    [
      'an unknown transport with any scope',
      withScope('mystery', 'whatever', [reject]),
    ],
    [
      'a docker scope that is not a valid reference',
      withScope('docker', 'NOT VALID', [reject]),
    ],
    [
      'the "" scope for docker-archive',
      withScope('docker-archive', '', [reject]),
    ],
    ['a clean dir scope', withScope('dir', '/srv/images', [reject])],
    [
      'an atomic scope with a tag',
      withScope('atomic', 'reg.example.com/ns/stream:tag', [reject]),
    ],
    [
      'a docker-daemon name scope',
      withScope('docker-daemon', 'docker.io/library/busybox', [reject]),
    ],
    ['an empty transports object', { default: [reject], transports: {} }],
    [
      'remapIdentity with host:port prefix and localhost',
      withDockerReq(
        signedBy({
          keyPath: '/k',
          signedIdentity: {
            type: 'remapIdentity',
            prefix: 'mirror:5000',
            signedPrefix: 'localhost',
          },
        }),
      ),
    ],
    [
      'sigstoreSigned with fulcio and a Rekor key',
      withDockerReq({
        type: 'sigstoreSigned',
        fulcio: { caPath: '/ca', oidcIssuer: 'https://i', subjectEmail: 'a@b' },
        rekorPublicKeyPath: '/rekor',
      }),
    ],
  ])('%s', (_name, policy) => {
    expect(() =>
      parsePolicy(JSON.stringify(policy), 'test.json'),
    ).not.toThrow();
  });
});

// SPEC §8 "Policy": each hostile input fails, with its own message.
describe('parsePolicy rejects', () => {
  it.each([
    [
      'a missing default',
      { transports: {} },
      'at (top level) (line 1): missing required key "default"',
    ],
    [
      'a null default',
      { default: null },
      'at default (line 2): the requirement list must not be null',
    ],
    [
      'an empty requirement list',
      { default: [] },
      'at default (line 2): the requirement list must not be empty',
    ],
    [
      'an unknown top-level key',
      { default: [reject], extra: 1 },
      'at extra (line 7): unknown key "extra"',
    ],
    [
      'an unknown requirement type',
      { default: [{ type: 'acceptSigned' }] },
      'at default[0].type (line 4): unknown type "acceptSigned"',
    ],
    [
      'a requirement without type',
      { default: [{}] },
      'at default[0] (line 3): missing required key "type"',
    ],
    [
      'a requirement that is not an object',
      { default: ['reject'] },
      'at default[0] (line 3): must be an object, not a string',
    ],
    [
      'an unknown key in reject',
      { default: [{ type: 'reject', why: 'x' }] },
      'at default[0].why (line 5): unknown key "why"',
    ],
    [
      'signedBy with no key source',
      withDockerReq(signedBy({})),
      'exactly one of keyPath, keyPaths and keyData must be specified; none is present',
    ],
    [
      'signedBy with two key sources',
      withDockerReq(signedBy({ keyPath: '/a', keyData: '' })),
      'found keyPath and keyData',
    ],
    [
      'signedBy with an invalid keyType',
      withDockerReq({ type: 'signedBy', keyType: 'PGP', keyPath: '/a' }),
      'invalid keyType "PGP"',
    ],
    [
      'signedBy without keyType',
      withDockerReq({ type: 'signedBy', keyPath: '/a' }),
      'missing required key "keyType"',
    ],
    [
      'signedBy with an unknown field',
      withDockerReq(signedBy({ keyPath: '/a', keyring: '/b' })),
      'unknown key "keyring"',
    ],
    [
      'signedBy with signedIdentity null',
      withDockerReq(signedBy({ keyPath: '/a', signedIdentity: null })),
      'signedIdentity (line 14): must be an identity object, not null',
    ],
    [
      'signedBy with an empty keyPath',
      withDockerReq(signedBy({ keyPath: '' })),
      'keyPath (line 13): must not be empty',
    ],
    [
      'signedBy with keyPath null',
      withDockerReq(signedBy({ keyPath: null })),
      'keyPath (line 13): must be a string, not null',
    ],
    [
      'signedBy with keyPaths not strings',
      withDockerReq(signedBy({ keyPaths: ['/a', 1] })),
      'keyPaths[1] (line 15): must be a string, not a number',
    ],
    [
      'signedBy with keyData not base64',
      withDockerReq(signedBy({ keyData: 'no!' })),
      'keyData (line 13): must be standard base64 with padding',
    ],
    [
      'exactReference name-only',
      withDockerReq(
        signedBy({
          keyPath: '/a',
          signedIdentity: {
            type: 'exactReference',
            dockerReference: 'busybox',
          },
        }),
      ),
      '"busybox" has neither a tag nor a digest',
    ],
    [
      'exactReference invalid',
      withDockerReq(
        signedBy({
          keyPath: '/a',
          signedIdentity: {
            type: 'exactReference',
            dockerReference: 'UPPER/Case:1',
          },
        }),
      ),
      'dockerReference (line 16): invalid docker reference "UPPER/Case:1"',
    ],
    [
      'exactReference without dockerReference',
      withDockerReq(
        signedBy({ keyPath: '/a', signedIdentity: { type: 'exactReference' } }),
      ),
      'missing required key "dockerReference"',
    ],
    [
      'exactRepository invalid',
      withDockerReq(
        signedBy({
          keyPath: '/a',
          signedIdentity: { type: 'exactRepository', dockerRepository: '' },
        }),
      ),
      'dockerRepository (line 16): invalid docker reference ""',
    ],
    [
      'matchExact with an extra key',
      withDockerReq(
        signedBy({
          keyPath: '/a',
          signedIdentity: { type: 'matchExact', dockerReference: 'a:b' },
        }),
      ),
      'unknown key "dockerReference"',
    ],
    [
      'an unknown identity type',
      withDockerReq(
        signedBy({ keyPath: '/a', signedIdentity: { type: 'matchAnything' } }),
      ),
      'unknown type "matchAnything"',
    ],
    [
      'remapIdentity with prefix busybox',
      withDockerReq(
        signedBy({
          keyPath: '/a',
          signedIdentity: {
            type: 'remapIdentity',
            prefix: 'busybox',
            signedPrefix: 'example.com',
          },
        }),
      ),
      'invalid prefix: "busybox" does not start with an explicit registry host',
    ],
    [
      'remapIdentity with an empty signedPrefix',
      withDockerReq(
        signedBy({
          keyPath: '/a',
          signedIdentity: {
            type: 'remapIdentity',
            prefix: 'example.com',
            signedPrefix: '',
          },
        }),
      ),
      'invalid signedPrefix: must not be empty',
    ],
    [
      'remapIdentity with a tagged prefix',
      withDockerReq(
        signedBy({
          keyPath: '/a',
          signedIdentity: {
            type: 'remapIdentity',
            prefix: 'docker.io/library/busybox:tag',
            signedPrefix: 'example.com',
          },
        }),
      ),
      'is not host[:port] or host[:port]/repository-path',
    ],
    [
      'a relative dir scope',
      withScope('dir', 'relative/path', [reject]),
      'invalid scope "relative/path" for transport "dir": must be an absolute path',
    ],
    [
      'the dir scope "/"',
      withScope('dir', '/', [reject]),
      'invalid scope "/" for transport "dir": the scope "/" is not allowed',
    ],
    [
      'a non-clean dir scope',
      withScope('dir', '/a/../b', [reject]),
      'invalid scope "/a/../b" for transport "dir": must be a clean path',
    ],
    [
      'an oci scope with a trailing slash',
      withScope('oci', '/a/', [reject]),
      'for transport "oci": must be a clean path',
    ],
    [
      'a non-default docker-archive scope',
      withScope('docker-archive', '/x.tar', [reject]),
      'only the default scope "" is supported',
    ],
    [
      'a docker-daemon image ID scope',
      withScope('docker-daemon', `sha256:${'a'.repeat(64)}`, [reject]),
      'an image ID (algo:digest) cannot be used as a scope',
    ],
    [
      'an invalid atomic scope',
      withScope('atomic', 'a/b/c/d', [reject]),
      'must be REGISTRY[/NAMESPACE[/STREAM[:TAG]]]',
    ],
    [
      'a scope value that is not an array',
      withScope('docker', 'example.com', reject),
      '["example.com"] (line 9): must be an array of requirements',
    ],
    [
      'a transport value that is null',
      { default: [reject], transports: { docker: null } },
      'at transports.docker (line 8): must be an object, not null',
    ],
    [
      'transports that is not an object',
      { default: [reject], transports: [] },
      'at transports (line 7): must be an object, not an array',
    ],
    [
      'signedBaseLayer without baseLayerIdentity',
      withDockerReq({ type: 'signedBaseLayer' }),
      'missing required key "baseLayerIdentity"',
    ],
    [
      'sigstoreSigned with two key sources',
      withDockerReq({ type: 'sigstoreSigned', keyPath: '/a', keyData: '' }),
      'exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio and pki must be specified (found 2)',
    ],
    [
      'sigstoreSigned with empty keyPaths',
      withDockerReq({ type: 'sigstoreSigned', keyPaths: [] }),
      'keyPaths (line 12): must contain at least one entry',
    ],
    [
      'sigstoreSigned fulcio without Rekor',
      withDockerReq({
        type: 'sigstoreSigned',
        fulcio: { caPath: '/ca', oidcIssuer: 'i', subjectEmail: 'e' },
      }),
      'a Rekor public key',
    ],
    [
      'sigstoreSigned pki with Rekor',
      withDockerReq({
        type: 'sigstoreSigned',
        pki: { caRootsPath: '/r', subjectEmail: 'e' },
        rekorPublicKeyPath: '/k',
      }),
      'not supported with pki',
    ],
  ])('%s', (_name, policy, message) => {
    const err = parseError(policy);
    expect(err.message).toContain(message);
    expect(err.message).toMatch(/^invalid policy in test\.json /);
    expect(err.message).not.toContain('\n');
  });

  it('a duplicate scope key, naming its line', () => {
    const text =
      '{"default":[{"type":"reject"}],\n"transports":{"docker":{\n"a.com":[{"type":"reject"}],\n"a.com":[{"type":"reject"}]}}}';
    expect(parseError(text).message).toBe(
      'invalid policy in test.json: duplicate key "a.com" (line 4, column 1)',
    );
  });

  it('trailing data after the object', () => {
    expect(parseError('{"default":[{"type":"reject"}]}\n{}').message).toContain(
      'trailing data after the JSON value (line 2, column 1)',
    );
  });

  it('a top-level value that is not an object', () => {
    expect(parseError('null').message).toContain('must be an object, not null');
  });
});

describe('lintPolicy', () => {
  it('reports every error in scopes and requirements, each with its line', async () => {
    const { lintPolicy } = await import('../../../src/policy/parse.js');
    const text = [
      '{"default": [],',
      ' "transports": {"dir": {"rel": [{"type": "reject"}],',
      '   "/ok": [{"type": "reject", "x": 1}, {"type": "insecureAcceptAnything"}]},',
      '  "docker": {"a.com": [{"type": "signedBy", "keyType": "GPGKeys"}]}}}',
    ].join('\n');
    const errors = lintPolicy(text, 'p.json').map((e) => e.message);
    expect(errors).toEqual([
      'invalid policy in p.json at default (line 1): the requirement list must not be empty (use [{"type":"reject"}] to reject)',
      'invalid policy in p.json at transports.dir.rel (line 2): invalid scope "rel" for transport "dir": must be an absolute path',
      'invalid policy in p.json at transports.dir["/ok"][0].x (line 3): unknown key "x" (allowed here: type)',
      'invalid policy in p.json at transports.docker["a.com"][0] (line 4): exactly one of keyPath, keyPaths and keyData must be specified; none is present',
    ]);
    expect(lintPolicy(readFileSync(fixturePath), fixturePath)).toEqual([]);
  });
});
