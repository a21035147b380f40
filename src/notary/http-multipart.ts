import { randomBytes } from 'node:crypto';
import { checkRole } from './http-paths.js';

/** One metadata file of a publish: `role` names the file (`targets/releases` → `targets/releases.json`). */
export interface PublishFile {
  role: string;
  bytes: Uint8Array;
}

export interface MultipartBody {
  contentType: string;
  body: Buffer;
}

/**
 * The `multipart/form-data` body notary-server's POST /v2/<gun>/_trust/tuf/
 * reads (SPEC §7.5): one part per file, form field `files`, filename =
 * role + `.json`. Role names are checked first, so nothing the caller
 * passes can break out of the quoted filename.
 */
export function publishBody(files: readonly PublishFile[]): MultipartBody {
  const boundary = `imgsign-${randomBytes(16).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const file of files) {
    checkRole(file.role);
    parts.push(
      Buffer.from(
        `--${boundary}\r\n` +
          `Content-Disposition: form-data; name="files"; filename="${file.role}.json"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      Buffer.from(file.bytes),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat(parts),
  };
}
