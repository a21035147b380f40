/** Manifest and blob media types imgsign knows (Docker distribution and OCI image-spec). */
export const MediaType = {
  dockerV2Schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerV2Schema1Signed:
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerV2Schema2: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerV2List: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerV2Config: 'application/vnd.docker.container.image.v1+json',
  dockerV2Layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerV2LayerUncompressed: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerV2ForeignLayer:
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export function isManifestListType(mediaType: string): boolean {
  return (
    mediaType === MediaType.dockerV2List || mediaType === MediaType.ociIndex
  );
}

/** Upper bound for any manifest read from an untrusted source (containers/image uses 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
