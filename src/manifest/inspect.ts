import { ImgsignError } from '../errors.js';
import { referenceName } from '../reference/docker-reference.js';
import type { SystemContext } from '../system-context.js';
import { DigestVerifier } from '../transports/internal/verify-stream.js';
import type {
  ImageReference,
  ImageSource,
  ManifestBlob,
} from '../transports/types.js';
import { transportString } from '../transports/types.js';
import { manifestDigest } from './digest.js';
import { parseManifest } from './parse.js';
import type { ImageManifest } from './parse.js';
import { chooseInstance } from './platform.js';
import type { PlatformChoice } from './platform.js';

/** Upper bound for an image config blob read into memory. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** `skopeo inspect` output (field names and order as skopeo prints them). */
export interface InspectOutput {
  Name?: string;
  Digest: string;
  RepoTags: string[];
  Created?: string;
  DockerVersion: string;
  Labels: Record<string, string> | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  Layers: string[];
  LayersData: {
    MIMEType: string;
    Digest: string;
    Size: number;
    Annotations: Record<string, string> | null;
  }[];
  Env: string[] | null;
}

async function readConfig(
  src: ImageSource,
  m: ImageManifest,
): Promise<Buffer | undefined> {
  const info = m.config;
  if (!info) return undefined;
  const what = `config ${info.digest} of ${transportString(src.reference)}`;
  if (info.size > MAX_CONFIG_BYTES) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${what} is ${info.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit`,
    );
  }
  const { stream } = await src.getBlob(info);
  const verifier = new DigestVerifier(info.digest, info.size, what);
  stream.on('error', (e) => verifier.destroy(e));
  stream.pipe(verifier);
  const chunks: Buffer[] = [];
  for await (const c of verifier) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The image manifest to describe: the manifest itself, or the platform's instance of a list. */
async function singleImage(
  src: ImageSource,
  top: ManifestBlob,
  platform: PlatformChoice | undefined,
): Promise<ImageManifest> {
  const name = `manifest of ${transportString(src.reference)}`;
  const parsed = parseManifest(top.bytes, top.mediaType, name);
  if (parsed.kind === 'image') return parsed;
  const inst = chooseInstance(parsed, platform);
  const m = await src.getManifest(inst.digest);
  const p = parseManifest(
    m.bytes,
    m.mediaType,
    `instance ${inst.digest} of ${name}`,
  );
  if (p.kind !== 'image')
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${name}: nested manifest lists are not supported`,
    );
  return p;
}

function schema1Config(m: ImageManifest): Record<string, unknown> {
  const history = m.json['history'];
  const first = Array.isArray(history)
    ? (history[0] as { v1Compatibility?: unknown } | undefined)
    : undefined;
  if (typeof first?.v1Compatibility !== 'string') return {};
  try {
    return JSON.parse(first.v1Compatibility) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export interface InspectOptions {
  platform?: PlatformChoice;
  /** Tags of the repository (docker:// only; filled by the caller). */
  repoTags?: string[];
}

/** `imgsign inspect IMAGE`: a skopeo-compatible summary of the image. */
export async function inspectImage(
  ref: ImageReference,
  sys: SystemContext,
  options: InspectOptions = {},
): Promise<InspectOutput> {
  const src = await ref.newImageSource(sys);
  try {
    const top = await src.getManifest();
    const m = await singleImage(src, top, options.platform);
    const configBytes = await readConfig(src, m);
    const config = configBytes
      ? (JSON.parse(configBytes.toString('utf8')) as Record<string, unknown>)
      : schema1Config(m);
    const inner = (config['config'] ?? {}) as {
      Labels?: Record<string, string> | null;
      Env?: string[] | null;
    };
    const named = ref.dockerReference();
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    const out: InspectOutput = {
      ...(named ? { Name: referenceName(named) } : {}),
      Digest: manifestDigest(top.bytes),
      RepoTags: options.repoTags ?? [],
      ...(typeof config['created'] === 'string'
        ? { Created: config['created'] }
        : {}),
      DockerVersion: str(config['docker_version']),
      Labels: inner.Labels ?? null,
      Architecture: str(config['architecture']),
      ...(typeof config['variant'] === 'string'
        ? { Variant: config['variant'] }
        : {}),
      Os: str(config['os']),
      Layers: m.layers.map((l) => l.digest),
      LayersData: m.layers.map((l) => ({
        MIMEType: l.mediaType ?? '',
        Digest: l.digest,
        Size: l.size,
        Annotations: l.annotations ?? null,
      })),
      Env: inner.Env ?? null,
    };
    return out;
  } finally {
    await src.close();
  }
}

/** The exact manifest bytes (`--raw`), or the config blob (`--raw --config`), verified. */
export async function rawManifestOrConfig(
  ref: ImageReference,
  sys: SystemContext,
  options: { config: boolean; platform?: PlatformChoice },
): Promise<Buffer> {
  const src = await ref.newImageSource(sys);
  try {
    const top = await src.getManifest();
    if (!options.config) return top.bytes;
    const m = await singleImage(src, top, options.platform);
    const config = await readConfig(src, m);
    if (!config)
      throw new ImgsignError(
        'UNSUPPORTED',
        `${transportString(ref)}: a schema1 image has no config blob`,
      );
    return config;
  } finally {
    await src.close();
  }
}
