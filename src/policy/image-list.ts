import { loadAll } from 'js-yaml';
import { describeError, ImgsignError } from '../errors.js';

/**
 * Image names to verify, from deployment files (`imgsign verify --from`):
 * Kubernetes manifests (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * ReplicationController, Job, CronJob, and `List`s of them; containers,
 * initContainers and ephemeralContainers), Compose files (`services.*.image`),
 * or plain lists (one image per line, `#` comments). Multi-document YAML is
 * supported. Bare names become `docker://NAME`; names that start with a
 * known transport (`dir:`, `oci:`, `docker://`…) are kept as they are.
 */
export interface ImageMention {
  /** `transport:reference`, ready for parseImageName. */
  image: string;
  /** Where it was found, e.g. `deploy.yaml: Deployment/web container app`. */
  where: string;
}

/** Largest deployment file read. */
export const MAX_IMAGE_LIST_BYTES = 16 * 1024 * 1024;

const podSpecPaths: Record<string, string[][]> = {
  Pod: [['spec']],
  Deployment: [['spec', 'template', 'spec']],
  StatefulSet: [['spec', 'template', 'spec']],
  DaemonSet: [['spec', 'template', 'spec']],
  ReplicaSet: [['spec', 'template', 'spec']],
  ReplicationController: [['spec', 'template', 'spec']],
  Job: [['spec', 'template', 'spec']],
  CronJob: [['spec', 'jobTemplate', 'spec', 'template', 'spec']],
  PodTemplate: [['template', 'spec']],
};

const containerLists = ['initContainers', 'containers', 'ephemeralContainers'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** `docker://NAME` unless `name` already starts with one of `transports`. */
export function toImageName(
  name: string,
  transports: readonly string[],
): string {
  const colon = name.indexOf(':');
  if (colon > 0 && transports.includes(name.slice(0, colon))) return name;
  return `docker://${name}`;
}

function fromKubernetes(
  doc: Record<string, unknown>,
  where: string,
  out: { name: string; where: string }[],
): boolean {
  const kind = doc['kind'];
  if (typeof kind !== 'string') return false;
  if (kind === 'List' && Array.isArray(doc['items'])) {
    for (const item of doc['items']) {
      if (isObject(item)) fromKubernetes(item, where, out);
    }
    return true;
  }
  const paths = podSpecPaths[kind];
  if (!paths) return false;
  const meta = at(doc, ['metadata', 'name']);
  const label = `${where}: ${kind}/${typeof meta === 'string' ? meta : '?'}`;
  for (const p of paths) {
    const spec = at(doc, p);
    for (const list of containerLists) {
      const containers = isObject(spec) ? spec[list] : undefined;
      if (!Array.isArray(containers)) continue;
      for (const c of containers) {
        const image = isObject(c) ? c['image'] : undefined;
        if (typeof image === 'string' && image !== '') {
          const cname =
            isObject(c) && typeof c['name'] === 'string' ? c['name'] : '?';
          const what =
            list === 'containers' ? 'container' : list.replace(/s$/, '');
          out.push({ name: image, where: `${label} ${what} ${cname}` });
        }
      }
    }
  }
  return true;
}

function fromCompose(
  doc: Record<string, unknown>,
  where: string,
  out: { name: string; where: string }[],
): boolean {
  const services = doc['services'];
  if (!isObject(services)) return false;
  for (const [name, svc] of Object.entries(services)) {
    const image = isObject(svc) ? svc['image'] : undefined;
    if (typeof image === 'string' && image !== '') {
      out.push({ name: image, where: `${where}: service ${name}` });
    }
  }
  return true;
}

function fromPlainText(
  text: string,
  where: string,
): { name: string; where: string }[] {
  const out: { name: string; where: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim().replace(/^-\s+/, '');
    if (line !== '') out.push({ name: line, where: `${where}:${i + 1}` });
  });
  return out;
}

/**
 * Every image mentioned in `text` (the content of file `where`), in order of
 * appearance, not de-duplicated. `transports` are the known transport names.
 */
export function imagesInDocument(
  text: string,
  where: string,
  transports: readonly string[],
): ImageMention[] {
  let docs: unknown[];
  try {
    docs = loadAll(text, undefined, { filename: where });
  } catch (err) {
    // A broken manifest must not be read as a list of odd image names.
    if (/^\s*(apiVersion|kind|services)\s*:/m.test(text)) {
      throw new ImgsignError(
        'USAGE',
        `${where} is not valid YAML: ${describeError(err)}`,
      );
    }
    // Not YAML at all: a plain list can still contain "dir:/x" lines etc.
    docs = [];
  }
  const found: { name: string; where: string }[] = [];
  const structured = docs.some((d) => isObject(d) || Array.isArray(d));
  if (!structured) {
    found.push(...fromPlainText(text, where));
  } else {
    docs.forEach((doc, i) => {
      const label = docs.length > 1 ? `${where}#${i + 1}` : where;
      if (Array.isArray(doc)) {
        doc.forEach((item, j) => {
          if (typeof item === 'string')
            found.push({ name: item, where: `${label}[${j}]` });
        });
        return;
      }
      if (!isObject(doc)) return;
      if (fromKubernetes(doc, label, found)) return;
      fromCompose(doc, label, found);
    });
  }
  return found.map((f) => ({
    image: toImageName(f.name.trim(), transports),
    where: f.where,
  }));
}

/** Merge mentions: one entry per image, with every place it was found. */
export function dedupeImages(
  mentions: ImageMention[],
): { image: string; where: string[] }[] {
  const byImage = new Map<string, string[]>();
  for (const m of mentions) {
    const list = byImage.get(m.image);
    if (list) list.push(m.where);
    else byImage.set(m.image, [m.where]);
  }
  return [...byImage].map(([image, where]) => ({ image, where }));
}

/** Reject files that are too large before parsing them. */
export function checkImageListSize(path: string, size: number): void {
  if (size > MAX_IMAGE_LIST_BYTES) {
    throw new ImgsignError(
      'USAGE',
      `${path} is larger than ${MAX_IMAGE_LIST_BYTES} bytes; split it`,
    );
  }
}
