import { describeIdentity, describeKeys } from './describe.js';
import type { Policy, PolicyRequirement } from './types.js';

/** `imgsign policy show`: one row per requirement, like `podman image trust show`. */
export interface PolicyRow {
  /** `all` for the default requirements. */
  transport: string;
  /** `default`, or the scope key (`""` shown as `(transport default)`). */
  scope: string;
  /** podman's names: accept, reject, signed; other types verbatim. */
  type: string;
  keys: string[];
  signedIdentity?: string;
}

function typeName(req: PolicyRequirement): string {
  switch (req.type) {
    case 'insecureAcceptAnything':
      return 'accept';
    case 'signedBy':
      return 'signed';
    default:
      return req.type;
  }
}

function row(
  transport: string,
  scope: string,
  req: PolicyRequirement,
): PolicyRow {
  const identity =
    req.type === 'signedBy' || req.type === 'sigstoreSigned'
      ? describeIdentity(req.signedIdentity)
      : req.type === 'signedBaseLayer'
        ? describeIdentity(req.baseLayerIdentity)
        : undefined;
  return {
    transport,
    scope,
    type: typeName(req),
    keys: describeKeys(req),
    ...(identity !== undefined ? { signedIdentity: identity } : {}),
  };
}

export function policyRows(policy: Policy): PolicyRow[] {
  const rows = policy.default.map((r) => row('all', 'default', r));
  for (const [transport, scopes] of policy.transports) {
    for (const [scope, reqs] of scopes) {
      for (const r of reqs)
        rows.push(
          row(transport, scope === '' ? '(transport default)' : scope, r),
        );
    }
  }
  return rows;
}

/** Fixed-width table with a header line. */
export function formatPolicyTable(rows: PolicyRow[]): string {
  const cells = [
    ['TRANSPORT', 'SCOPE', 'TYPE', 'KEYS', 'SIGNED IDENTITY'],
    ...rows.map((r) => [
      r.transport,
      r.scope,
      r.type,
      r.keys.join(', '),
      r.signedIdentity ?? '',
    ]),
  ];
  const widths = cells[0]!.map((_, i) =>
    Math.max(...cells.map((c) => (c[i] ?? '').length)),
  );
  return cells
    .map((c) =>
      c
        .map((v, i) => v.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
