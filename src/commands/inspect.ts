import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import { normalizeBooleanArgv } from '../cli/bool-argv.js';
import { copySystemContext, sideSystemContext } from '../cli/copy-flags.js';
import { inspectImage, rawManifestOrConfig } from '../manifest/inspect.js';
import type { InspectOutput } from '../manifest/inspect.js';
import { parseImageName } from '../transports/all.js';
import { listTags } from '../transports/docker/tags.js';

export default class Inspect extends ImgsignCommand {
  static override summary =
    'Show the manifest digest, platform, layers and config of an image';
  static override description =
    'Output is the JSON skopeo inspect prints. For a manifest list, Digest is the list digest and the rest describes the image for the current (or overridden) platform. --raw prints the manifest bytes exactly as stored; --raw --config the config blob.';
  static override examples = [
    '<%= config.bin %> inspect dir:/tmp/busybox',
    '<%= config.bin %> inspect --raw oci:/tmp/layout:busybox',
    '<%= config.bin %> inspect --config --tls-verify=false docker://localhost:5000/busybox:latest',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    raw: Flags.boolean({
      description: 'Print the raw manifest (or config with --config)',
      default: false,
    }),
    config: Flags.boolean({
      description: 'Print the image config instead of the summary',
      default: false,
    }),
    'override-os': Flags.string({
      description: 'Choose the list instance for this OS',
      helpValue: 'OS',
    }),
    'override-arch': Flags.string({
      description: 'Choose the list instance for this architecture',
      helpValue: 'ARCH',
    }),
    'override-variant': Flags.string({
      description: 'Choose the list instance for this variant',
      helpValue: 'VARIANT',
    }),
    creds: Flags.string({
      description: 'Registry credentials',
      helpValue: 'USERNAME[:PASSWORD]',
    }),
    authfile: Flags.string({
      description: 'Registry auth file',
      helpValue: 'PATH',
    }),
    'tls-verify': Flags.boolean({
      description: 'Require HTTPS and verify certificates',
      default: true,
      allowNo: true,
    }),
    'cert-dir': Flags.string({
      description: 'Registry certificates directory',
      helpValue: 'DIR',
    }),
    'no-tags': Flags.boolean({
      char: 'n',
      description: 'Do not list the repository tags (docker:// only)',
      default: false,
    }),
    'retry-times': Flags.integer({
      description: 'Retries for registry requests',
      default: 0,
      min: 0,
    }),
  };
  static override args = {
    image: Args.string({
      description: 'image (transport:reference)',
      required: true,
    }),
  };

  async run(): Promise<InspectOutput | Record<string, unknown>> {
    const argv = normalizeBooleanArgv(
      this.argv,
      ['raw', 'config', 'tls-verify', 'no-tags'],
      ['tls-verify'],
    );
    const { args, flags } = await this.parse(Inspect, argv);
    const sys = sideSystemContext(
      copySystemContext(),
      {
        all: false,
        'remove-signatures': false,
        'src-tls-verify': flags['tls-verify'],
        'dest-tls-verify': true,
        'retry-times': flags['retry-times'],
        'src-creds': flags.creds,
        authfile: flags.authfile,
        'src-cert-dir': flags['cert-dir'],
      },
      'src',
    );
    const ref = parseImageName(args.image);
    const platform = {
      ...(flags['override-os'] ? { os: flags['override-os'] } : {}),
      ...(flags['override-arch'] ? { arch: flags['override-arch'] } : {}),
      ...(flags['override-variant']
        ? { variant: flags['override-variant'] }
        : {}),
    };
    if (flags.raw || flags.config) {
      const bytes = await rawManifestOrConfig(ref, sys, {
        config: flags.config,
        platform,
      });
      if (flags.raw) {
        if (!this.jsonEnabled()) process.stdout.write(bytes);
        return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      }
      const config = JSON.parse(bytes.toString('utf8')) as Record<
        string,
        unknown
      >;
      if (!this.jsonEnabled()) this.log(JSON.stringify(config, null, 4));
      return config;
    }
    const named = ref.dockerReference();
    const repoTags =
      ref.transport.name === 'docker' && named && !flags['no-tags']
        ? await listTags(named, sys)
        : undefined;
    const out = await inspectImage(ref, sys, {
      platform,
      ...(repoTags ? { repoTags } : {}),
    });
    if (!this.jsonEnabled()) this.log(JSON.stringify(out, null, 4));
    return out;
  }
}
