import { Command, Errors } from '@oclif/core';
import { format, inspect } from 'node:util';
import { ImgsignError, describeError } from '../errors.js';
import { EXIT, exitCodeFor } from './errors.js';
import { writeStderr, writeStdout } from './stdio.js';

/**
 * Base for every imgsign command: one-line errors with documented exit codes,
 * never a stack trace (set IMGSIGN_DEBUG=1 to see one).
 */
export abstract class ImgsignCommand extends Command {
  /** As oclif's log(), through src/cli/stdio.ts (no stream object needed). */
  public override log(message: unknown = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) writeStdout(formatLine(message, args));
  }

  /** As oclif's logToStderr(), through src/cli/stdio.ts. */
  public override logToStderr(message: unknown = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) writeStderr(formatLine(message, args));
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- oclif's contract is async
  protected override async catch(
    err: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    if (process.env['IMGSIGN_DEBUG'])
      process.stderr.write(`${err.stack ?? ''}\n`);
    // oclif's own parse errors (unknown flag, missing argument) are usage errors.
    if (
      !(err instanceof ImgsignError) &&
      (err.oclif || err instanceof Errors.CLIError)
    ) {
      if (err.oclif?.exit === 0) return;
      const help = `imgsign ${(this.id ?? '').replaceAll(':', ' ')} --help`;
      this.logToStderr(
        `imgsign: ${parseErrorLine(err.message)}; see \`${help}\``,
      );
      process.exitCode = EXIT.usage;
      return this.exit(EXIT.usage);
    }
    const code = exitCodeFor(err);
    const message =
      err instanceof ImgsignError
        ? err.message
        : `internal error: ${describeError(err)} (please report this; IMGSIGN_DEBUG=1 shows the stack)`;
    if (this.jsonEnabled()) {
      this.logJson({
        error: {
          code: err instanceof ImgsignError ? err.code : 'INTERNAL',
          message,
        },
      });
    } else {
      this.logToStderr(`imgsign: ${message.replace(/\s*\n\s*/g, ' ')}`);
    }
    process.exitCode = code;
    return this.exit(code);
  }
}

/** What oclif's log() prints: console.log's formatting of the message. */
function formatLine(message: unknown, args: unknown[]): string {
  const text = typeof message === 'string' ? message : inspect(message);
  return `${text === '' ? format(...args) : format(text, ...args)}\n`;
}

/**
 * oclif's parse errors span lines (a table of missing arguments, notes);
 * imgsign prints one: `Missing 2 required args: docker-reference, signature`.
 */
export function parseErrorLine(message: string): string {
  const [first = '', ...rest] = message.replace(/^Error: /, '').split('\n');
  if (!/^Missing \d+ required args?:?\s*$/.test(first)) return first;
  const names: string[] = [];
  for (const line of rest) {
    if (line.trim() === '') break;
    names.push(line.trim().split(/\s+/)[0] ?? '');
  }
  return `${first.replace(/:?\s*$/, '')}: ${names.join(', ')}`;
}
