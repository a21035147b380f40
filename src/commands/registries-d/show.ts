import { Args, Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { ImgsignCommand } from '../../cli/base-command.js';
import { normalizeBooleanArgv } from '../../cli/bool-argv.js';
import { usageError } from '../../errors.js';
import {
  parseNormalizedNamed,
  withDefaultTag,
} from '../../reference/docker-reference.js';
import {
  type RegistriesDExplanation,
  explainRegistriesD,
} from '../../registries-d/explain.js';
import { loadRegistriesConfigFor } from '../../registries-d/load.js';
import type { SystemContext } from '../../system-context.js';
import { getRegistryClient } from '../../transports/docker/registry-client.js';

export type RegistriesDShowResult = RegistriesDExplanation & {
  /** Present with --ping: whether the registry stores signatures itself (then the lookaside is not used). */
  extensionAPI?: { supported: boolean; scheme: 'https' | 'http' };
};

const otherTransports = [
  'dir',
  'oci',
  'oci-archive',
  'docker-archive',
  'docker-daemon',
  'containers-storage',
  'sif',
  'tarball',
  'atomic',
];

const sourceText = {
  flag: 'from --registries.d',
  user: 'per-user configuration',
  system: 'system configuration',
  shipped:
    'imgsign default: neither ~/.config/containers/registries.d nor /etc/containers/registries.d exists',
} as const;

export default class RegistriesDShow extends ImgsignCommand {
  static override summary =
    'Show which registries.d file and scope apply to an image, and where its signatures are read and written';

  static override description =
    'Reads every *.yaml in the registries.d directory (--registries.d DIR, else ~/.config/containers/registries.d, else /etc/containers/registries.d, else the copy shipped with imgsign) as skopeo and podman do. With --ping, also asks the registry whether it stores signatures itself (X-Registry-Supports-Signatures), in which case the lookaside is not used.';

  static override examples = [
    '<%= config.bin %> registries-d show docker://quay.io/team/app:1.0',
    '<%= config.bin %> registries-d show registry.example.com/app@sha256:<hex> --registries.d ./registries.d --json',
    '<%= config.bin %> registries-d show localhost:5000/app:latest --ping --tls-verify=false',
  ];

  static override enableJsonFlag = true;

  static override args = {
    image: Args.string({
      description:
        'docker image: docker://NAME[:TAG|@DIGEST] or NAME[:TAG|@DIGEST]',
      required: true,
    }),
  };

  static override flags = {
    'registries.d': Flags.string({
      description: 'use the registries.d configuration in DIR',
      helpValue: 'DIR',
    }),
    ping: Flags.boolean({
      description:
        'contact the registry to see whether it offers the signature extension API',
      default: false,
    }),
    'tls-verify': Flags.boolean({
      description: 'with --ping: require HTTPS and verify certificates',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<RegistriesDShowResult> {
    const argv = normalizeBooleanArgv(
      this.argv,
      ['ping', 'tls-verify'],
      ['tls-verify'],
    );
    const { args, flags } = await this.parse(RegistriesDShow, argv);
    const image = args.image;
    const transport = /^([a-z-]+):/.exec(image)?.[1];
    if (
      transport !== undefined &&
      otherTransports.includes(transport) &&
      !image.startsWith('docker://')
    ) {
      throw usageError(
        `"${image}" is not a docker image: registries.d applies only to docker:// references`,
      );
    }
    const ref = withDefaultTag(
      parseNormalizedNamed(image.replace(/^docker:\/\//, '')),
    );
    const home = process.env['HOME'] || homedir();
    const sys: SystemContext = {
      homeDir: home,
      isRoot: process.geteuid?.() === 0,
      ...(flags['registries.d'] !== undefined
        ? { registriesDirPath: flags['registries.d'] }
        : {}),
    };
    const config = await loadRegistriesConfigFor(sys);
    const result: RegistriesDShowResult = explainRegistriesD(config, ref);
    if (flags.ping) {
      const client = getRegistryClient({
        registry: ref.domain,
        sys,
        tlsVerify: flags['tls-verify'],
      });
      try {
        const ping = await client.ping();
        result.extensionAPI = {
          supported: ping.supportsSignatures,
          scheme: ping.scheme,
        };
      } finally {
        await client.close();
      }
    }
    if (!this.jsonEnabled()) this.log(formatText(result));
    return result;
  }
}

function formatText(r: RegistriesDShowResult): string {
  const lines = [
    `image:          ${r.image}`,
    `registries.d:   ${r.directory} (${sourceText[r.directorySource]})`,
  ];
  for (const [name, op] of [
    ['read', r.read],
    ['write', r.write],
  ] as const) {
    const origin = op.builtIn
      ? 'built-in default: no section applies'
      : `${op.key} of ${op.scope === 'default-docker' ? 'default-docker' : `scope "${op.scope}"`} in ${op.file ?? '?'}`;
    lines.push(`${`${name}:`.padEnd(16)}${op.location ?? op.url}`);
    lines.push(`${''.padEnd(16)}(${origin})`);
    if (op.error !== undefined)
      lines.push(`${''.padEnd(16)}ERROR: ${op.error}`);
  }
  if (r.extensionAPI !== undefined) {
    lines.push(
      r.extensionAPI.supported
        ? `extension API:  yes: signatures are read and written by the registry (${r.extensionAPI.scheme}); the lookaside above is not used`
        : `extension API:  no: the lookaside above is used`,
    );
  } else {
    lines.push('extension API:  not checked (--ping asks the registry)');
  }
  if (r.sigstoreAttachments?.enabled) {
    lines.push(
      `warning: use-sigstore-attachments (scope "${r.sigstoreAttachments.scope}" in ${r.sigstoreAttachments.file}) is not supported by imgsign and is ignored`,
    );
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
