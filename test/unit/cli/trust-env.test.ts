import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  trustDirectory,
  trustPassphraseRetriever,
  type TrustPromptIO,
} from '../../../src/cli/trust-env.js';

const req = {
  keyId: '0123456789abcdef',
  role: 'alice',
  createNew: false,
  attempt: 0,
};

function fakeIO(answers: string[], tty = true) {
  const prompts: string[] = [];
  const notices: string[] = [];
  const io: TrustPromptIO = {
    canPrompt: () => tty,
    prompt: (text) => {
      prompts.push(text);
      const next = answers.shift();
      return next === undefined
        ? Promise.reject(new Error('no more answers'))
        : Promise.resolve(next);
    },
    notice: (text) => notices.push(text),
  };
  return { io, prompts, notices };
}

describe('trustDirectory', () => {
  it('is $DOCKER_CONFIG/trust, else ~/.docker/trust', () => {
    expect(trustDirectory({ DOCKER_CONFIG: '/x/cfg', HOME: '/home/u' })).toBe(
      '/x/cfg/trust',
    );
    expect(trustDirectory({ HOME: '/home/u' })).toBe(
      join('/home/u', '.docker', 'trust'),
    );
    expect(trustDirectory({ DOCKER_CONFIG: '', HOME: '/home/u' })).toBe(
      '/home/u/.docker/trust',
    );
  });
});

describe('trustPassphraseRetriever', () => {
  it('uses the repository passphrase for non-root keys without prompting', async () => {
    const { io, prompts } = fakeIO([]);
    const r = trustPassphraseRetriever(
      {
        DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'repo',
        DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: 'root',
      },
      io,
    );
    expect(await r(req)).toBe('repo');
    expect(await r({ ...req, role: 'targets', createNew: true })).toBe('repo');
    expect(await r({ ...req, role: 'encrypted' })).toBe('repo');
    expect(await r({ ...req, role: 'root' })).toBe('root');
    expect(prompts).toEqual([]);
  });

  it('gives up after the third wrong try, naming the variable', async () => {
    const r = trustPassphraseRetriever(
      { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'repo' },
      fakeIO([]).io,
    );
    expect(await r({ ...req, attempt: 2 })).toBe('repo');
    await expect(r({ ...req, attempt: 3 })).rejects.toMatchObject({
      code: 'PASSPHRASE',
      message: expect.stringContaining(
        'DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE was tried 3 times',
      ),
    });
  });

  it('without a terminal: an error naming the variable to set (root has its own)', async () => {
    const r = trustPassphraseRetriever(
      {
        DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: '',
        DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined,
      },
      fakeIO([], false).io,
    );
    await expect(r(req)).rejects.toThrow(
      /set DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE/,
    );
    const root = trustPassphraseRetriever(
      { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'repo' },
      fakeIO([], false).io,
    );
    await expect(root({ ...req, role: 'root' })).rejects.toThrow(
      /set DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE/,
    );
  });

  it('asks twice for a new passphrase, retrying on a mismatch or a short one', async () => {
    const { io, prompts, notices } = fakeIO([
      'short',
      'long enough 1',
      'long enough 2',
      'long enough 3',
      'long enough 3',
    ]);
    const r = trustPassphraseRetriever({}, io);
    expect(await r({ ...req, createNew: true })).toBe('long enough 3');
    expect(prompts).toEqual([
      'Enter passphrase for new alice key with ID 0123456: ',
      'Enter passphrase for new alice key with ID 0123456: ',
      'Repeat passphrase for new alice key with ID 0123456: ',
      'Enter passphrase for new alice key with ID 0123456: ',
      'Repeat passphrase for new alice key with ID 0123456: ',
    ]);
    expect(notices).toHaveLength(2);
  });

  it('prompts for an existing key, saying so after a wrong one, and stops after 3', async () => {
    const { io, prompts, notices } = fakeIO(['a', 'b']);
    const r = trustPassphraseRetriever({}, io);
    expect(await r({ ...req, role: 'targets' })).toBe('a');
    expect(await r({ ...req, role: 'targets', attempt: 1 })).toBe('b');
    expect(prompts).toEqual([
      'Enter passphrase for repository key with ID 0123456: ',
      'Enter passphrase for repository key with ID 0123456: ',
    ]);
    expect(notices).toEqual(['Passphrase incorrect. Please retry.']);
    await expect(r({ ...req, attempt: 3 })).rejects.toMatchObject({
      code: 'PASSPHRASE',
    });
  });
});
