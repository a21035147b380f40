/**
 * The few certificate fields Notary's root checks need that node:crypto's
 * X509Certificate (Node 20) does not expose: subject common name (the last
 * CN attribute, as Go's pkix.Name keeps it), validity as Dates, and the
 * signature algorithm OID. Read with the bounds-checked DER reader of
 * ../der.ts over the certificate node already parsed, so malformed input
 * fails closed.
 */
import { X509Certificate } from 'node:crypto';
import { ImgsignError } from '../../errors.js';
import { children, parseDer, readOid, type DerNode } from '../der.js';

export interface CertificateInfo {
  cert: X509Certificate;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** Dotted OID of the outer signatureAlgorithm. */
  signatureAlgorithm: string;
}

/** SHA-1 based signature algorithms notary refuses (sha1WithRSA, dsaWithSHA1, ecdsaWithSHA1). */
export const SHA1_SIGNATURE_OIDS = new Set([
  '1.2.840.113549.1.1.5',
  '1.2.840.10040.4.3',
  '1.2.840.10045.4.1',
]);

const CN_OID = '2.5.4.3';
const WHAT = 'certificate';

function malformed(why: string): ImgsignError {
  return new ImgsignError('KEY_INVALID', `malformed DER in ${WHAT}: ${why}`);
}

/** A directory string (UTF8String, BMPString, or the one-byte kinds). */
function directoryString(node: DerNode): string {
  if (node.tag === 0x1e)
    return Buffer.from(node.body).swap16().toString('utf16le');
  return node.body.toString(node.tag === 0x0c ? 'utf8' : 'latin1');
}

/** UTCTime (two-digit year, 1950–2049) or GeneralizedTime, seconds and Z. */
function certificateTime(node: DerNode): Date {
  const s = node.body.toString('latin1');
  const m =
    node.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw malformed(`time ${JSON.stringify(s)}`);
  let year = Number(m[1]);
  if (node.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const [mo, d, h, mi, se] = m.slice(2).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, mo - 1, d, h, mi, se));
}

/** Parse the fields above from a certificate; throws on malformed DER. */
export function certificateInfo(cert: X509Certificate): CertificateInfo {
  const [tbs, sigAlg] = children(parseDer(Buffer.from(cert.raw), WHAT), WHAT);
  if (!tbs || !sigAlg) throw malformed('not a SEQUENCE of TBS and algorithm');
  const signatureAlgorithm = readOid(children(sigAlg, WHAT)[0], WHAT);
  const fields = children(tbs, WHAT);
  // version [0] is optional; then serial, signature, issuer, validity, subject.
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const validity = fields[base + 3];
  const subject = fields[base + 4];
  if (!validity || !subject) throw malformed('TBS too short');
  const [notBefore, notAfter] = children(validity, WHAT);
  if (!notBefore || !notAfter) throw malformed('validity incomplete');
  let commonName = '';
  for (const rdn of children(subject, WHAT)) {
    for (const atv of children(rdn, WHAT)) {
      const [oid, value] = children(atv, WHAT);
      if (oid && value && readOid(oid, WHAT) === CN_OID) {
        commonName = directoryString(value);
      }
    }
  }
  return {
    cert,
    commonName,
    notBefore: certificateTime(notBefore),
    notAfter: certificateTime(notAfter),
    signatureAlgorithm,
  };
}

/** Split a PEM bundle into certificates (leaf first, as notary stores them). */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const blocks =
    pem.match(
      /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
    ) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}
