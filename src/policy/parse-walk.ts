import { PolicyFormatError } from '../errors.js';
import type {
  JsonEntry,
  JsonKind,
  JsonNode,
  JsonPosition,
} from '../internal/strict-json.js';

/**
 * Helpers for walking the positioned JSON tree of a policy file: every
 * failure becomes a PolicyFormatError naming the file, the JSON path and the
 * line, e.g. `invalid policy in /etc/containers/policy.json at
 * transports.docker["example.com"][0].keyType (line 12): ...`.
 */
export type JsonPath = readonly (string | number)[];

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function renderPath(path: JsonPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (identifier.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(top level)' : out;
}

const kindNames: Record<JsonKind, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
};

export class PolicyWalker {
  /**
   * With `collected`, attempt() records errors and carries on (for
   * `policy lint`, which reports every error); without, the first throws.
   */
  constructor(
    readonly source: string,
    readonly collected?: PolicyFormatError[],
  ) {}

  /** Run `fn`; when collecting, record a PolicyFormatError and return undefined. */
  attempt<T>(fn: () => T): T | undefined {
    if (!this.collected) return fn();
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof PolicyFormatError)) throw err;
      this.collected.push(err);
      return undefined;
    }
  }

  fail(path: JsonPath, pos: JsonPosition, message: string): never {
    throw new PolicyFormatError(
      `invalid policy in ${this.source} at ${renderPath(path)} (line ${pos.line}): ${message}`,
    );
  }

  /** The object's entries, or a "must be an object" error. */
  object(node: JsonNode, path: JsonPath): JsonEntry[] {
    if (node.kind !== 'object') {
      this.fail(path, node, `must be an object, not ${kindNames[node.kind]}`);
    }
    return node.entries;
  }

  /**
   * The object's members by name; any key outside `allowed` is an error.
   * `required` keys must be present.
   */
  fields(
    node: JsonNode,
    path: JsonPath,
    allowed: readonly string[],
    required: readonly string[] = [],
  ): Map<string, JsonEntry> {
    const entries = this.object(node, path);
    const out = new Map<string, JsonEntry>();
    for (const e of entries) {
      if (!allowed.includes(e.key)) {
        this.fail(
          [...path, e.key],
          e.keyPos,
          `unknown key "${e.key}" (allowed here: ${allowed.join(', ')})`,
        );
      }
      out.set(e.key, e);
    }
    for (const key of required) {
      if (!out.has(key)) this.fail(path, node, `missing required key "${key}"`);
    }
    return out;
  }

  string(node: JsonNode, path: JsonPath): string {
    if (node.kind !== 'string') {
      this.fail(path, node, `must be a string, not ${kindNames[node.kind]}`);
    }
    return node.value;
  }

  nonEmptyString(node: JsonNode, path: JsonPath): string {
    const s = this.string(node, path);
    if (s === '') this.fail(path, node, 'must not be empty');
    return s;
  }

  stringArray(node: JsonNode, path: JsonPath): string[] {
    if (node.kind !== 'array') {
      this.fail(
        path,
        node,
        `must be an array of strings, not ${kindNames[node.kind]}`,
      );
    }
    return node.items.map((item, i) => this.string(item, [...path, i]));
  }

  /** Standard base64 with padding (Go's []byte JSON encoding; CR/LF ignored). */
  base64(node: JsonNode, path: JsonPath): Buffer {
    const s = this.string(node, path).replace(/[\r\n]/g, '');
    if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
      this.fail(path, node, 'must be standard base64 with padding');
    }
    return Buffer.from(s, 'base64');
  }

  base64Array(node: JsonNode, path: JsonPath): Buffer[] {
    if (node.kind !== 'array') {
      this.fail(
        path,
        node,
        `must be an array of base64 strings, not ${kindNames[node.kind]}`,
      );
    }
    return node.items.map((item, i) => this.base64(item, [...path, i]));
  }

  /** The `type` member of an object, used to pick the parser for the rest. */
  typeOf(node: JsonNode, path: JsonPath, known: readonly string[]): string {
    const entries = this.object(node, path);
    const typeEntry = entries.find((e) => e.key === 'type');
    if (!typeEntry) this.fail(path, node, 'missing required key "type"');
    const type = this.string(typeEntry.value, [...path, 'type']);
    if (!known.includes(type)) {
      this.fail(
        [...path, 'type'],
        typeEntry.value,
        `unknown type "${type}" (known: ${known.join(', ')})`,
      );
    }
    return type;
  }
}
