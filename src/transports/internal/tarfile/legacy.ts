import { createHash } from 'node:crypto';
import { sha256Digest } from '../../../digest/digest.js';
import {
  LEGACY_CONFIG_FILE,
  LEGACY_LAYER_FILE,
  LEGACY_VERSION_FILE,
} from './types.js';
import type { TarStreamWriter } from './writer.js';

/**
 * The pre-manifest.json docker save layout, still written for old
 * `docker load`s and the `repositories` file: one directory per layer
 * holding `layer.tar` (a link to the real file), `VERSION` and a v1 `json`.
 * Layer IDs only need to be unique and loop-free: recent engines assign
 * their own on load. Ours hash the v1 json together with the layer's
 * chain ID (docker's ChainID: the DiffID, then sha256("<parent> <diffID>")).
 */
export interface LegacyLayer {
  id: string;
  json: Buffer;
  /** Entry name of the layer tar this layer's `layer.tar` links to. */
  layerFile: string;
}

const TOP_LAYER_CONFIG_FIELDS = [
  'architecture',
  'config',
  'container',
  'container_config',
  'created',
  'docker_version',
  'os',
];

export function legacyLayers(
  diffIDs: string[],
  layerFiles: string[],
  untrustedConfig: Record<string, unknown>,
): LegacyLayer[] {
  const out: LegacyLayer[] = [];
  let chainID = '';
  let parent = '';
  diffIDs.forEach((diffID, i) => {
    chainID = chainID === '' ? diffID : sha256Digest(`${chainID} ${diffID}`);
    const v1: Record<string, unknown> = {};
    if (parent !== '') v1['parent'] = parent;
    if (i === diffIDs.length - 1) {
      for (const field of TOP_LAYER_CONFIG_FIELDS) {
        if (field in untrustedConfig) v1[field] = untrustedConfig[field];
      }
    }
    const id = createHash('sha256')
      .update(JSON.stringify({ chain: chainID, v1 }))
      .digest('hex');
    out.push({
      id,
      json: Buffer.from(JSON.stringify({ id, ...v1 })),
      layerFile: layerFiles[i] ?? '',
    });
    parent = id;
  });
  return out;
}

/** Write the legacy directories not yet in the tar (`files` tracks entries written). */
export async function writeLegacyLayers(
  writer: TarStreamWriter,
  files: Set<string>,
  layers: LegacyLayer[],
): Promise<void> {
  await writer.lock(async () => {
    for (const layer of layers) {
      if (files.has(layer.id)) continue;
      await writer.writeSymlink(
        `${layer.id}/${LEGACY_LAYER_FILE}`,
        `../${layer.layerFile}`,
      );
      await writer.writeBytes(
        `${layer.id}/${LEGACY_VERSION_FILE}`,
        Buffer.from('1.0'),
      );
      await writer.writeBytes(`${layer.id}/${LEGACY_CONFIG_FILE}`, layer.json);
      files.add(layer.id);
    }
  });
}
