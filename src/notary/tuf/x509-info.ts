/**
 * The few certificate fields Notary's root checks need that node:crypto's
 * X509Certificate (Node 20) does not expose: subject common name (the last
 * CN attribute, as Go's pkix.Name keeps it), validity as Dates, and the
 * signature algorithm OID. Read with a minimal DER walker over the
 * certificate node already parsed, so malformed input fails closed.
 */
import { X509Certificate } from 'node:crypto';

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

interface Tlv {
  tag: number;
  start: number; // first content byte
  end: number; // one past the last content byte
}

class Der {
  constructor(readonly buf: Buffer) {}

  read(pos: number, limit: number): Tlv {
    if (pos + 2 > limit) throw new Error('truncated DER');
    const tag = this.buf[pos]!;
    let len = this.buf[pos + 1]!;
    let start = pos + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || start + n > limit) throw new Error('bad length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.buf[start + i]!;
      start += n;
    }
    if (start + len > limit) throw new Error('truncated DER');
    return { tag, start, end: start + len };
  }

  children(parent: Tlv): Tlv[] {
    const out: Tlv[] = [];
    for (let p = parent.start; p < parent.end;) {
      const c = this.read(p, parent.end);
      out.push(c);
      p = c.end;
    }
    return out;
  }

  oid(t: Tlv): string {
    if (t.tag !== 0x06 || t.end === t.start) throw new Error('expected OID');
    const b = this.buf.subarray(t.start, t.end);
    const parts: number[] = [];
    let v = 0;
    for (const byte of b) {
      v = v * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) {
        parts.push(v);
        v = 0;
      }
    }
    const first = parts.shift() ?? 0;
    const head =
      first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
    return [...head, ...parts].join('.');
  }

  string(t: Tlv): string {
    const b = this.buf.subarray(t.start, t.end);
    if (t.tag === 0x1e) return Buffer.from(b).swap16().toString('utf16le'); // BMPString
    return b.toString(t.tag === 0x0c ? 'utf8' : 'latin1');
  }

  time(t: Tlv): Date {
    const s = this.buf.toString('latin1', t.start, t.end);
    const m =
      t.tag === 0x17
        ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
        : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new Error(`bad certificate time ${s}`);
    let year = Number(m[1]);
    if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
    const [mo, d, h, mi, se] = m.slice(2).map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return new Date(Date.UTC(year, mo - 1, d, h, mi, se));
  }
}

/** Parse the fields above from a certificate; throws on malformed DER. */
export function certificateInfo(cert: X509Certificate): CertificateInfo {
  const der = new Der(Buffer.from(cert.raw));
  const top = der.read(0, der.buf.length);
  const [tbs, sigAlg] = der.children(top);
  if (!tbs || !sigAlg) throw new Error('certificate is not a SEQUENCE');
  const signatureAlgorithm = der.oid(der.children(sigAlg)[0]!);
  const fields = der.children(tbs);
  // version [0] is optional; then serial, signature, issuer, validity, subject.
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const validity = fields[base + 3];
  const subject = fields[base + 4];
  if (!validity || !subject) throw new Error('certificate TBS too short');
  const [nb, na] = der.children(validity);
  if (!nb || !na) throw new Error('certificate validity incomplete');
  let commonName = '';
  for (const rdn of der.children(subject)) {
    for (const atv of der.children(rdn)) {
      const [oid, value] = der.children(atv);
      if (oid && value && der.oid(oid) === CN_OID) {
        commonName = der.string(value);
      }
    }
  }
  return {
    cert,
    commonName,
    notBefore: der.time(nb),
    notAfter: der.time(na),
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
