import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import {
  passphraseFlags,
  signingSystemContext,
} from '../../cli/signing-flags.js';
import { canPrompt, readPassphrase } from '../../cli/passphrase.js';
import { usageError } from '../../errors.js';
import { readBoundedFile } from '../../keys/files.js';
import {
  exportGnuPGPublicKeys,
  exportGnuPGSecretKey,
  listGnuPGKeys,
} from '../../keys/gnupg.js';
import { Keyring, MAX_KEY_FILE_BYTES } from '../../keys/keyring.js';
import { findOneKey } from '../../keys/lookup.js';
import {
  formatKeyLine,
  summarizeKey,
  type KeySummary,
} from '../../keys/summary.js';

async function readStdin(limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > limit)
      throw usageError(`key on stdin is larger than ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export default class KeyImport extends ImgsignCommand {
  static override summary =
    'Import keys (armored or binary, public or secret) into the imgsign keyring';
  static override description =
    'FILE may be - for stdin. Secret keys are stored as given (still encrypted with their passphrase). ' +
    'With --from-gpg ID the key is copied from GnuPG (its secret part when GnuPG has it; pass its passphrase if protected).';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> key import release.pub.asc',
    'cat key.asc | <%= config.bin %> key import -',
    '<%= config.bin %> key import --from-gpg me@example.com --passphrase-file pw.txt',
  ];
  static override args = {
    file: Args.string({
      required: false,
      description: 'key file, or - for stdin',
    }),
  };
  static override flags = {
    'from-gpg': Flags.string({
      description: 'copy this key (fingerprint, ID, email) from GnuPG',
      exclusive: ['file'],
    }),
    ...passphraseFlags,
  };

  async run(): Promise<KeySummary[]> {
    const { args, flags } = await this.parse(KeyImport);
    const sys = signingSystemContext();
    const keyring = Keyring.forSystem(sys);
    let blob: Buffer;
    let what: string;
    if (flags['from-gpg'] !== undefined) {
      const id = flags['from-gpg'];
      const home =
        sys.gnupgHome !== undefined ? { gnupgHome: sys.gnupgHome } : {};
      const secretKeys = await listGnuPGKeys(id, { ...home, secret: true });
      const secret =
        findOneKey(secretKeys, id, 'GnuPG') ??
        (secretKeys.length === 1 ? secretKeys[0] : undefined);
      if (secret !== undefined) {
        const passphrase = await readPassphrase({
          ...(flags['sign-passphrase-file'] !== undefined
            ? { file: flags['sign-passphrase-file'] }
            : {}),
          ...(flags['passphrase-fd'] !== undefined
            ? { fd: flags['passphrase-fd'] }
            : {}),
          ...(flags['passphrase-env'] !== undefined
            ? { env: flags['passphrase-env'] }
            : {}),
        });
        blob = await exportGnuPGSecretKey(secret.fingerprint, {
          ...home,
          ...(passphrase ? { passphrase } : {}),
          interactive: canPrompt(),
        });
      } else {
        const publicKeys = await listGnuPGKeys(id, { ...home, secret: false });
        const pub =
          findOneKey(publicKeys, id, 'GnuPG') ??
          (publicKeys.length === 1 ? publicKeys[0] : undefined);
        if (pub === undefined)
          throw usageError(
            `no key matching "${id}" in GnuPG (${sys.gnupgHome ?? '~/.gnupg'})`,
          );
        blob = await exportGnuPGPublicKeys([pub.fingerprint], sys.gnupgHome);
      }
      what = `GnuPG key ${id}`;
    } else if (args.file === undefined) {
      throw usageError(
        'key import needs a FILE (or - for stdin) or --from-gpg ID',
      );
    } else if (args.file === '-') {
      blob = await readStdin(MAX_KEY_FILE_BYTES);
      what = 'the key on stdin';
    } else {
      blob = await readBoundedFile(args.file, MAX_KEY_FILE_BYTES, 'key file');
      what = `key file ${args.file}`;
    }
    const imported = (await keyring.import(blob, what)).map(summarizeKey);
    for (const k of imported) this.log(`imported ${formatKeyLine(k)}`);
    return imported;
  }
}
