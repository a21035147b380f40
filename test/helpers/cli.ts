import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  cwd?: string;
}

const bin = join(repoRoot, 'bin/run.js');

/** Run the built CLI (`npm run build` first) as a user would, capturing output and exit code. */
export function runCli(
  args: string[],
  options: CliOptions = {},
): Promise<CliResult> {
  if (!existsSync(join(repoRoot, 'dist/commands'))) {
    throw new Error(
      'dist/ is missing: run `npm run build` before the CLI tests',
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, IMGSIGN_DEBUG: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? -1,
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}
