/**
 * The data behind `docker trust inspect` (SPEC §7.12), computed from
 * verified metadata; formatting (JSON / --pretty) belongs to the command.
 * Signed tags are targets of `targets` or `targets/releases`, keyed by
 * (tag, sha256 hex); a row's signers are the other delegations holding the
 * same pair ("Repo Admin" when none, left to the printer).
 */
import { canonicalKeyID } from './keys.js';
import {
  allTargets,
  RELEASES_ROLE,
  walkTargets,
  type VerifiedTargets,
} from './delegations.js';
import type { Root } from './metadata.js';

export interface SignedTagRow {
  tag: string;
  /** sha256 hex of the manifest ('' when the target has no sha256, as docker prints it). */
  digest: string;
  /** Signer names (`targets/alice` → `alice`), in walk order, unsorted. */
  signers: string[];
}

export interface SignerKeys {
  name: string;
  /** Canonical key IDs. */
  keys: string[];
}

export interface TrustInspection {
  signedTags: SignedTagRow[];
  /** Delegations other than targets/releases, sorted by name descending (docker's JSON order). */
  signers: SignerKeys[];
  /** Root role key IDs as written in root.json. */
  rootKeys: string[];
  /** Targets role key IDs as written in root.json. */
  repositoryKeys: string[];
}

/** `targets/alice` → `alice`; other names unchanged. */
export function signerName(role: string): string {
  return role.startsWith('targets/') ? role.slice('targets/'.length) : role;
}

const chunkRe = /(\d+|\D+)/g;

/** Natural order (digit runs compare numerically), as docker's sortorder.NaturalLess. */
export function naturalCompare(a: string, b: string): number {
  const x = a.match(chunkRe) ?? [];
  const y = b.match(chunkRe) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const pd = /^\d/.test(p);
    const qd = /^\d/.test(q);
    if (pd && qd) {
      const pn = p.replace(/^0+/, '');
      const qn = q.replace(/^0+/, '');
      if (pn.length !== qn.length) return pn.length - qn.length;
      if (pn !== qn) return pn < qn ? -1 : 1;
      return p.length - q.length;
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

const isReleased = (role: string): boolean =>
  role === 'targets' || role === RELEASES_ROLE;

/** Compute the inspect data for one repository. */
export function inspectTrustData(
  root: Root,
  repo: VerifiedTargets,
): TrustInspection {
  const all = allTargets(repo).map((t) => ({
    ...t,
    hex: t.meta.hashes.sha256?.toString('hex') ?? '',
  }));
  const rows = new Map<string, SignedTagRow>();
  const key = (tag: string, hex: string): string => `${tag}\u0000${hex}`;
  for (const t of all) {
    if (isReleased(t.role)) {
      rows.set(key(t.name, t.hex), { tag: t.name, digest: t.hex, signers: [] });
    }
  }
  for (const t of all) {
    const row = rows.get(key(t.name, t.hex));
    if (row && !isReleased(t.role)) row.signers.push(signerName(t.role));
  }
  const signedTags = [...rows.values()].sort((a, b) =>
    naturalCompare(a.tag, b.tag),
  );

  const signerMap = new Map<string, string[]>();
  walkTargets(repo, '', '', (_role, signed) => {
    for (const d of signed.delegations.roles) {
      if (d.name === RELEASES_ROLE) continue;
      const ids = d.keyids.flatMap((id) => {
        const k = signed.delegations.keys.get(id);
        try {
          return k ? [canonicalKeyID(k)] : [];
        } catch {
          return [];
        }
      });
      signerMap.set(signerName(d.name), ids);
    }
    return undefined;
  });
  const signers = [...signerMap]
    .map(([name, keys]) => ({ name, keys }))
    .sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  return {
    signedTags,
    signers,
    rootKeys: [...root.roles.root.keyids],
    repositoryKeys: [...root.roles.targets.keyids],
  };
}
