/**
 * WWW-Authenticate parsing (RFC 7235 challenges), written here as STYLE.md
 * asks. Registries send `Bearer realm="…",service="…",scope="…"` or
 * `Basic realm="…"`; several challenges may share one header.
 */
export interface AuthChallenge {
  /** Lowercased scheme: `bearer`, `basic`, … */
  scheme: string;
  /** Parameters with lowercased names. */
  params: Record<string, string>;
}

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/** Parse every challenge in the given header values; malformed tails are ignored. */
export function parseWWWAuthenticate(
  headers: string | string[] | undefined,
): AuthChallenge[] {
  if (headers === undefined) return [];
  const values = Array.isArray(headers) ? headers : [headers];
  const out: AuthChallenge[] = [];
  for (const value of values) out.push(...parseOne(value));
  return out;
}

function parseOne(input: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let s = input.trim();
  let current: AuthChallenge | undefined;
  while (s.length > 0) {
    s = s.replace(/^[\s,]+/, '');
    const name = token.exec(s)?.[0];
    if (name === undefined) break;
    s = s.slice(name.length);
    const afterSpace = s.replace(/^\s+/, '');
    if (afterSpace.startsWith('=')) {
      // An auth-param of the current challenge.
      s = afterSpace.slice(1).replace(/^\s+/, '');
      let value: string;
      if (s.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        s = s.slice(i + 1);
      } else {
        value = /^[^,\s]*/.exec(s)?.[0] ?? '';
        s = s.slice(value.length);
      }
      if (current) current.params[name.toLowerCase()] = value;
    } else {
      // A new challenge scheme.
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      s = afterSpace;
    }
  }
  return out;
}
