import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

/** A DOCKER_CONFIG of its own and a notary server nobody listens on. */
async function env(server = 'https://127.0.0.1:1') {
  const dir = await tempDir();
  return {
    DOCKER_CONFIG: dir,
    HOME: dir,
    DOCKER_CONTENT_TRUST_SERVER: server,
    XDG_RUNTIME_DIR: undefined,
    REGISTRY_AUTH_FILE: undefined,
  };
}

describe('imgsign trust inspect', () => {
  it('documents itself with examples', async () => {
    const r = await runCli(['trust', 'inspect', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/docker trust inspect/);
    expect(r.stdout).toMatch(/--pretty/);
    expect(r.stdout).toMatch(/EXAMPLES[\s\S]*trust inspect --pretty/);
  });

  it('needs an image', async () => {
    const r = await runCli(['trust', 'inspect'], { env: await env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Missing 1 required arg/);
  });

  it('prints [] and exits 1 when no image can be inspected, with docker wording', async () => {
    const r = await runCli(
      ['trust', 'inspect', 'example.com/a/b', 'example.com/c'],
      { env: await env() },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('[]\n');
    expect(r.stderr).toMatch(
      /^imgsign: no signatures or cannot access example\.com\/a\/b: .*server unavailable.*; no signatures or cannot access example\.com\/c: /,
    );
  });

  it('reports an invalid reference as docker does: the parse error, exit 1', async () => {
    const r = await runCli(['trust', 'inspect', 'UPPER/case'], {
      env: await env(),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('[]\n');
    expect(r.stderr).toMatch(
      /^imgsign: invalid docker reference "UPPER\/case": /,
    );
  });

  it('prints nothing with --pretty when the first image fails', async () => {
    const r = await runCli(['trust', 'inspect', '--pretty', 'example.com/a'], {
      env: await env(),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no signatures or cannot access example\.com\/a/);
  });

  it('reports failures as a JSON error with --json', async () => {
    const r = await runCli(['trust', 'inspect', '--json', 'example.com/a'], {
      env: await env(),
    });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      error: { code: string; message: string };
    };
    expect(out.error.code).toBe('TRUST');
    expect(out.error.message).toMatch(/^no signatures or cannot access/);
  });

  it('refuses a DOCKER_CONTENT_TRUST_SERVER that is not https (exit 2)', async () => {
    const r = await runCli(['trust', 'inspect', 'example.com/a'], {
      env: await env('http://notary.example.com'),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /valid https URL required for trust server, got http:\/\/notary\.example\.com/,
    );
  });
});
