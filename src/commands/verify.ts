import { Args, Flags } from '@oclif/core';
import { readFile, stat } from 'node:fs/promises';
import { ImgsignCommand } from '../cli/base-command.js';
import { normalizeBooleanArgv } from '../cli/bool-argv.js';
import { copySystemContext, sideSystemContext } from '../cli/copy-flags.js';
import { EXIT } from '../cli/errors.js';
import {
  InconclusiveError,
  PolicyRequirementError,
  usageError,
} from '../errors.js';
import { PolicyContext } from '../policy/context.js';
import {
  checkImageListSize,
  dedupeImages,
  imagesInDocument,
  type ImageMention,
} from '../policy/image-list.js';
import { loadPolicy, shippedDefaultPolicyPath } from '../policy/load.js';
import {
  verifyImages,
  type ImageVerification,
} from '../policy/verify-images.js';
import { knownTransports } from '../transports/all.js';

export interface VerifyResult {
  /** The policy file used (or `(insecure)`). */
  policy: string;
  allowed: boolean;
  images: ImageVerification[];
}

function describe(v: ImageVerification): string[] {
  const lines = [`${v.allowed ? 'ACCEPTED' : 'REJECTED'} ${v.image}`];
  if (v.where) lines.push(`  named in: ${v.where.join('; ')}`);
  if (v.error !== undefined) {
    lines.push(`  error: ${v.error}`);
    return lines;
  }
  if (v.scope) lines.push(`  policy section: ${v.scope}`);
  for (const r of v.results) {
    lines.push(
      `  requirement ${r.index + 1} ${r.requirement}: ${r.outcome}${r.outcome === 'rejected' || r.signatures ? `: ${r.reason}` : ''}`,
    );
    if (r.outcome === 'rejected' && (r.signatures?.length ?? 0) > 1) {
      for (const s of r.signatures ?? []) {
        lines.push(
          `    signature ${s.index}: ${s.accepted ? 'accepted' : 'not accepted'}: ${s.reason}`,
        );
      }
    }
  }
  if (v.pinnedReference) lines.push(`  deploy: ${v.pinnedReference}`);
  else if (v.manifestDigest)
    lines.push(`  manifest digest: ${v.manifestDigest}`);
  if (v.instances && v.allowed) {
    lines.push(
      `  the accepted manifest list pins all ${v.instances.length} instances; their own signatures:`,
    );
  } else if (v.instances) {
    lines.push(`  instances, on their own signatures:`);
  }
  for (const i of v.instances ?? []) {
    lines.push(
      `    ${i.digest}${i.platform ? ` (${i.platform})` : ''}: ${i.allowed ? 'accepted' : `not accepted: ${i.reason}`}`,
    );
  }
  return lines;
}

export default class Verify extends ImgsignCommand {
  static override summary =
    'Check images against policy.json, as podman, CRI-O and skopeo would';
  static override description = `For each image, fetch its manifest and signatures (never layers), evaluate the policy and print ACCEPTED or REJECTED with the requirement that decided and, for rejections, every signature found and why it was not accepted. For accepted registry images, prints the digest-pinned reference (REPO@sha256:…) to deploy, so that what was checked is what runs.
--from reads image names from Kubernetes manifests (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, including init and ephemeral containers; multi-document YAML), Compose files or plain lists (one image per line); names without a transport are docker:// images. Images are de-duplicated and verified concurrently.
Policy: --policy FILE, else ~/.config/containers/policy.json, else /etc/containers/policy.json, else the shipped policies/default.json. Exit status 0 only when every image is accepted; 1 when any is rejected; 3 when no verdict could be reached.`;
  static override examples = [
    '<%= config.bin %> verify --policy policy.json docker://registry.example.com/team/app:1.0',
    '<%= config.bin %> verify dir:/tmp/signed-image oci:/tmp/layout:app',
    '<%= config.bin %> verify --from k8s/deployment.yaml --from compose.yaml --json',
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = {
    image: Args.string({
      description: 'image to verify (transport:reference); repeatable',
    }),
  };
  static override flags = {
    policy: Flags.string({
      description: 'policy.json to use',
      helpValue: 'FILE',
    }),
    'insecure-policy': Flags.boolean({
      description: 'Accept any image (skopeo --insecure-policy); for testing',
      default: false,
    }),
    'registries.d': Flags.string({
      description: 'registries.d directory (where signatures are looked up)',
      helpValue: 'DIR',
    }),
    from: Flags.string({
      description:
        'read image names from a Kubernetes, Compose or plain-list file (repeatable)',
      helpValue: 'FILE',
      multiple: true,
      multipleNonGreedy: true,
    }),
    jobs: Flags.integer({
      description: 'images verified at once',
      default: 16,
      min: 1,
      max: 256,
    }),
    creds: Flags.string({
      description: 'registry credentials',
      helpValue: 'USERNAME[:PASSWORD]',
    }),
    authfile: Flags.string({
      description: 'registry auth file',
      helpValue: 'PATH',
    }),
    'tls-verify': Flags.boolean({
      description: 'require HTTPS and verify certificates',
      default: true,
      allowNo: true,
    }),
    'cert-dir': Flags.string({
      description: 'registry certificates directory',
      helpValue: 'DIR',
    }),
  };

  async run(): Promise<VerifyResult> {
    const argv = normalizeBooleanArgv(
      this.argv,
      ['tls-verify', 'insecure-policy'],
      ['tls-verify'],
    );
    const { argv: images, flags } = await this.parse(Verify, argv);
    const base = copySystemContext();
    const sys = sideSystemContext(
      base,
      {
        all: false,
        'remove-signatures': false,
        'src-tls-verify': flags['tls-verify'],
        'dest-tls-verify': true,
        'retry-times': 0,
        'src-creds': flags.creds,
        authfile: flags.authfile,
        'src-cert-dir': flags['cert-dir'],
      },
      'src',
    );
    if (flags['registries.d'] !== undefined) {
      sys.registriesDirPath = flags['registries.d'];
    }
    const transports = [...knownTransports().map((t) => t.name), 'docker'];
    const mentions: ImageMention[] = (images as string[]).map((image) => ({
      image,
      where: 'command line',
    }));
    for (const file of flags.from ?? []) {
      checkImageListSize(file, (await stat(file)).size);
      const text = await readFile(file, 'utf8');
      mentions.push(...imagesInDocument(text, file, transports));
    }
    if (mentions.length === 0) {
      throw usageError('no images to verify: name IMAGE… or use --from FILE');
    }
    const list = dedupeImages(mentions).map((m) => ({
      image: m.image,
      ...(flags.from ? { where: m.where } : {}),
    }));
    const loaded = await loadPolicy({
      ...(flags.policy !== undefined ? { path: flags.policy } : {}),
      insecure: flags['insecure-policy'],
      ...(base.homeDir !== undefined ? { homeDir: base.homeDir } : {}),
    });
    const context = new PolicyContext(loaded.policy);
    const results = await verifyImages(list, {
      context,
      sys,
      jobs: flags.jobs,
    });
    const result: VerifyResult = {
      policy: loaded.source,
      allowed: results.every((r) => r.allowed),
      images: results,
    };
    const rejected = results.filter((r) => !r.allowed && !r.inconclusive);
    const inconclusive = results.filter((r) => r.inconclusive);
    if (!this.jsonEnabled()) {
      if (loaded.source === shippedDefaultPolicyPath()) {
        this.log(
          `note: no policy.json found; using the shipped ${loaded.source}, which accepts any image (pass --policy)`,
        );
      }
      for (const r of results) this.log(describe(r).join('\n'));
      if (rejected.length > 0) {
        throw new PolicyRequirementError(
          `${rejected.length} of ${results.length} image${results.length === 1 ? '' : 's'} rejected by policy ${loaded.source}`,
        );
      }
      if (inconclusive.length > 0) {
        throw new InconclusiveError(
          `${inconclusive.length} of ${results.length} image${results.length === 1 ? '' : 's'} could not be checked`,
        );
      }
    } else if (rejected.length > 0) process.exitCode = EXIT.rejected;
    else if (inconclusive.length > 0) process.exitCode = EXIT.inconclusive;
    return result;
  }
}
