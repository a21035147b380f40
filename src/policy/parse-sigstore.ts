import { parseSignedIdentity } from './parse-identity.js';
import type { JsonPath, PolicyWalker } from './parse-walk.js';
import type { JsonEntry, JsonNode } from '../internal/strict-json.js';
import type { SigstoreFulcio, SigstorePKI, SigstoreSigned } from './types.js';

/**
 * `sigstoreSigned` (SPEC §3.4), parsed as strictly as containers/image
 * `policy_config_sigstore.go` so podman policies load; never evaluated as
 * accepting by imgsign.
 */
const keys = [
  'type',
  'keyPath',
  'keyPaths',
  'keyData',
  'keyDatas',
  'fulcio',
  'pki',
  'rekorPublicKeyPath',
  'rekorPublicKeyPaths',
  'rekorPublicKeyData',
  'rekorPublicKeyDatas',
  'signedIdentity',
] as const;

function nonEmpty<T>(
  w: PolicyWalker,
  e: JsonEntry,
  path: JsonPath,
  list: T[],
): T[] {
  if (list.length === 0)
    w.fail(path, e.value, 'must contain at least one entry');
  return list;
}

function parseFulcio(
  w: PolicyWalker,
  node: JsonNode,
  path: JsonPath,
): SigstoreFulcio {
  const f = w.fields(node, path, [
    'caPath',
    'caData',
    'oidcIssuer',
    'subjectEmail',
  ]);
  const caPath = f.get('caPath');
  const caData = f.get('caData');
  if ((caPath === undefined) === (caData === undefined)) {
    w.fail(path, node, 'exactly one of caPath and caData must be specified');
  }
  const issuer = f.get('oidcIssuer');
  const email = f.get('subjectEmail');
  if (!issuer) w.fail(path, node, 'oidcIssuer not specified');
  if (!email) w.fail(path, node, 'subjectEmail not specified');
  return {
    ...(caPath
      ? { caPath: w.nonEmptyString(caPath.value, [...path, 'caPath']) }
      : {}),
    ...(caData ? { caData: w.base64(caData.value, [...path, 'caData']) } : {}),
    oidcIssuer: w.nonEmptyString(issuer.value, [...path, 'oidcIssuer']),
    subjectEmail: w.nonEmptyString(email.value, [...path, 'subjectEmail']),
  };
}

function parsePKI(
  w: PolicyWalker,
  node: JsonNode,
  path: JsonPath,
): SigstorePKI {
  const f = w.fields(node, path, [
    'caRootsPath',
    'caRootsData',
    'caIntermediatesPath',
    'caIntermediatesData',
    'subjectEmail',
    'subjectHostname',
  ]);
  const rootsPath = f.get('caRootsPath');
  const rootsData = f.get('caRootsData');
  if ((rootsPath === undefined) === (rootsData === undefined)) {
    w.fail(
      path,
      node,
      'exactly one of caRootsPath and caRootsData must be specified',
    );
  }
  const intPath = f.get('caIntermediatesPath');
  const intData = f.get('caIntermediatesData');
  if (intPath && intData) {
    w.fail(
      path,
      node,
      'caIntermediatesPath and caIntermediatesData cannot be used together',
    );
  }
  const email = f.get('subjectEmail');
  const host = f.get('subjectHostname');
  if (!email && !host) {
    w.fail(
      path,
      node,
      'at least one of subjectEmail and subjectHostname must be specified',
    );
  }
  const str = (e: JsonEntry | undefined, key: string) =>
    e ? { [key]: w.nonEmptyString(e.value, [...path, key]) } : {};
  const b64 = (e: JsonEntry | undefined, key: string) =>
    e ? { [key]: w.base64(e.value, [...path, key]) } : {};
  return {
    ...str(rootsPath, 'caRootsPath'),
    ...b64(rootsData, 'caRootsData'),
    ...str(intPath, 'caIntermediatesPath'),
    ...b64(intData, 'caIntermediatesData'),
    ...str(email, 'subjectEmail'),
    ...str(host, 'subjectHostname'),
  };
}

export function parseSigstoreSigned(
  w: PolicyWalker,
  node: JsonNode,
  path: JsonPath,
): SigstoreSigned {
  const f = w.fields(node, path, keys, ['type']);
  const at = (k: string): JsonPath => [...path, k];
  const out: SigstoreSigned = {
    type: 'sigstoreSigned',
    signedIdentity: { type: 'matchRepoDigestOrExact' },
  };
  let sources = 0;
  let rekor = 0;
  for (const [key, e] of f) {
    switch (key) {
      case 'keyPath':
        out.keyPath = w.nonEmptyString(e.value, at(key));
        sources++;
        break;
      case 'keyPaths':
        out.keyPaths = nonEmpty(w, e, at(key), w.stringArray(e.value, at(key)));
        sources++;
        break;
      case 'keyData':
        out.keyData = w.base64(e.value, at(key));
        sources++;
        break;
      case 'keyDatas':
        out.keyDatas = nonEmpty(w, e, at(key), w.base64Array(e.value, at(key)));
        sources++;
        break;
      case 'fulcio':
        out.fulcio = parseFulcio(w, e.value, at(key));
        sources++;
        break;
      case 'pki':
        out.pki = parsePKI(w, e.value, at(key));
        sources++;
        break;
      case 'rekorPublicKeyPath':
        out.rekorPublicKeyPath = w.nonEmptyString(e.value, at(key));
        rekor++;
        break;
      case 'rekorPublicKeyPaths':
        out.rekorPublicKeyPaths = nonEmpty(
          w,
          e,
          at(key),
          w.stringArray(e.value, at(key)),
        );
        rekor++;
        break;
      case 'rekorPublicKeyData':
        out.rekorPublicKeyData = w.base64(e.value, at(key));
        rekor++;
        break;
      case 'rekorPublicKeyDatas':
        out.rekorPublicKeyDatas = nonEmpty(
          w,
          e,
          at(key),
          w.base64Array(e.value, at(key)),
        );
        rekor++;
        break;
      case 'signedIdentity':
        out.signedIdentity = parseSignedIdentity(w, e.value, at(key));
        break;
      default:
        break;
    }
  }
  if (sources !== 1) {
    w.fail(
      path,
      node,
      `exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio and pki must be specified (found ${sources})`,
    );
  }
  if (rekor > 1) {
    w.fail(
      path,
      node,
      'at most one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas can be specified',
    );
  }
  if (out.fulcio && rekor === 0) {
    w.fail(
      path,
      node,
      'a Rekor public key (rekorPublicKeyPath, …) is required with fulcio',
    );
  }
  if (out.pki && rekor > 0) {
    w.fail(path, node, 'Rekor public keys are not supported with pki');
  }
  return out;
}
