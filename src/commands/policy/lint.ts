import { Args } from '@oclif/core';
import { readFile, stat } from 'node:fs/promises';
import { ImgsignCommand } from '../../cli/base-command.js';
import { describeError, PolicyFormatError } from '../../errors.js';
import { lintPolicy, MAX_POLICY_BYTES } from '../../policy/parse.js';

export interface PolicyLintResult {
  file: string;
  ok: boolean;
  errors: string[];
}

export default class PolicyLint extends ImgsignCommand {
  static override summary =
    'Check a policy.json file: "ok", or every error with its JSON path and line';
  static override description =
    'The same strict parsing imgsign verify and copy use (unknown or duplicate keys, wrong types, empty requirement lists, invalid scopes and identities are errors). Exit status 0 when valid, 2 otherwise.';
  static override examples = [
    '<%= config.bin %> policy lint /etc/containers/policy.json',
    '<%= config.bin %> policy lint policy.json --json',
  ];
  static override enableJsonFlag = true;
  static override args = {
    file: Args.string({ description: 'policy.json to check', required: true }),
  };

  async run(): Promise<PolicyLintResult> {
    const { args } = await this.parse(PolicyLint);
    let bytes: Buffer;
    try {
      if ((await stat(args.file)).size > MAX_POLICY_BYTES) {
        throw new Error(`larger than ${MAX_POLICY_BYTES} bytes`);
      }
      bytes = await readFile(args.file);
    } catch (err) {
      throw new PolicyFormatError(
        `cannot read policy ${args.file}: ${describeError(err)}`,
      );
    }
    const errors = lintPolicy(bytes, args.file).map((e) => e.message);
    const result = { file: args.file, ok: errors.length === 0, errors };
    if (this.jsonEnabled()) {
      if (!result.ok) process.exitCode = 2;
      return result;
    }
    if (result.ok) {
      this.log(`${args.file}: ok`);
      return result;
    }
    for (const e of errors.slice(0, -1)) this.logToStderr(`imgsign: ${e}`);
    throw new PolicyFormatError(errors[errors.length - 1] ?? 'invalid policy');
  }
}
