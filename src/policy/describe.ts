import type { PolicyRequirement, SignedIdentity } from './types.js';

/** One-line human descriptions of policy parts, for messages and `policy show`. */
export function describeIdentity(identity: SignedIdentity): string {
  switch (identity.type) {
    case 'exactReference':
      return `exactReference ${identity.dockerReference}`;
    case 'exactRepository':
      return `exactRepository ${identity.dockerRepository}`;
    case 'remapIdentity':
      return `remapIdentity ${identity.prefix} -> ${identity.signedPrefix}`;
    default:
      return identity.type;
  }
}

/** Where a signedBy/sigstoreSigned requirement takes its keys from. */
export function describeKeys(req: PolicyRequirement): string[] {
  if (req.type !== 'signedBy' && req.type !== 'sigstoreSigned') return [];
  const out: string[] = [];
  if (req.keyPath !== undefined) out.push(req.keyPath);
  if (req.keyPaths !== undefined) {
    out.push(...(req.keyPaths.length ? req.keyPaths : ['(keyPaths: none)']));
  }
  if (req.keyData !== undefined) {
    out.push(`(keyData, ${req.keyData.length} bytes)`);
  }
  if (req.type === 'sigstoreSigned') {
    if (req.keyDatas !== undefined) {
      out.push(`(keyDatas, ${req.keyDatas.length} keys)`);
    }
    if (req.fulcio) out.push(`(fulcio ${req.fulcio.subjectEmail})`);
    if (req.pki) {
      out.push(
        `(pki ${req.pki.subjectEmail ?? req.pki.subjectHostname ?? ''})`,
      );
    }
  }
  return out;
}

export function describeRequirement(req: PolicyRequirement): string {
  switch (req.type) {
    case 'insecureAcceptAnything':
    case 'reject':
      return req.type;
    case 'signedBy': {
      const keys = describeKeys(req);
      const source =
        req.keyPath !== undefined
          ? `keyPath ${keys.join(', ')}`
          : req.keyPaths !== undefined
            ? `keyPaths ${keys.join(', ')}`
            : keys.join(', ');
      const keyType =
        req.keyType === 'GPGKeys' ? '' : `keyType ${req.keyType}, `;
      return `signedBy (${keyType}${source}, signedIdentity ${describeIdentity(req.signedIdentity)})`;
    }
    case 'signedBaseLayer':
      return `signedBaseLayer (baseLayerIdentity ${describeIdentity(req.baseLayerIdentity)})`;
    case 'sigstoreSigned':
      return `sigstoreSigned (${describeKeys(req).join(', ')}, signedIdentity ${describeIdentity(req.signedIdentity)})`;
  }
}
