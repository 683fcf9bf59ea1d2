// Owns reading the files an administrator gives `tvs trust import`: PEM (one or several blocks) or DER (one or
// several certificates back to back), split into certificate DERs, with everything that is not a certificate named
// for what it is — above all a private key given by mistake, which is reported without a byte of it being echoed.

import { createPrivateKey } from 'node:crypto';
import { readNode } from '../pki/der.ts';

/** One file as given (its name is only used in messages). */
export interface ForeignCertificateFile {
  name: string;
  bytes: Uint8Array;
}

export type InputProblemCode = 'ERR_FOREIGN_NOT_CERTIFICATE' | 'ERR_FOREIGN_PRIVATE_KEY';

export interface InputProblem {
  file: string;
  /** 1-based position of the block or DER element in the file, when the file holds several. */
  item?: number;
  code: InputProblemCode;
  message: string;
}

export interface ReadCertificates {
  /** Each certificate block or DER element that could be a certificate, in file order. */
  items: { file: string; item: number; der: Buffer }[];
  problems: InputProblem[];
}

/** A file larger than this is refused before it is read further (a certificate is a few KB). */
export const MAX_FOREIGN_FILE_BYTES = 1024 * 1024;
/** Certificates one import may carry. */
export const MAX_FOREIGN_PER_IMPORT = 100;

const PRIVATE_KEY_TEXT =
  'this is a private key; give the certificate (on CUCM: Certificate Management > the certificate > ' +
  'Download .PEM File; on OpenCAPF: opencapf migrate export-trust). The key was not stored or shown';

// PKCS#12 (.p12/.pfx, CUCM bulk certificate export): SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data … } … }.
const PKCS12_PREFIX = Buffer.from([0x02, 0x01, 0x03]);
// OID 1.2.840.113549.1.7 (PKCS#7 content types): a .p7b bundle starts with SEQUENCE { OID 1.2.840.113549.1.7.2 }.
const PKCS7_OID = Buffer.from('06092a864886f70d0107', 'hex');

function looksLikePrivateKeyDer(der: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch (e) {
      // An encrypted PKCS#8 key asks for its passphrase: it is a private key all the same.
      if (/passphrase/i.test((e as Error).message)) return true;
    }
  }
  // EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID pkcs5 PBES2 1.2.840.113549.1.5.13 … } OCTET STRING }.
  return der.includes(Buffer.from('06092a864886f70d01050d', 'hex')) && der.length < 16_384;
}

function classifyNonCertificate(der: Buffer): { code: InputProblemCode; message: string } {
  if (looksLikePrivateKeyDer(der)) return { code: 'ERR_FOREIGN_PRIVATE_KEY', message: PRIVATE_KEY_TEXT };
  try {
    const top = readNode(der, 0);
    const first = readNode(der, top.contentStart, top.end);
    if (first.tag === 0x02 && der.subarray(first.start, first.start + 3).equals(PKCS12_PREFIX))
      return {
        code: 'ERR_FOREIGN_NOT_CERTIFICATE',
        message:
          'a PKCS#12 (.p12/.pfx) file, such as a CUCM bulk certificate export: it may hold private keys and is ' +
          'not read here; give each certificate as PEM (openssl pkcs12 -in FILE -nokeys -out certs.pem)',
      };
    if (first.tag === 0x06 && der.subarray(first.start, first.start + PKCS7_OID.length).equals(PKCS7_OID))
      return {
        code: 'ERR_FOREIGN_NOT_CERTIFICATE',
        message:
          'a PKCS#7 (.p7b) bundle; give the certificates as PEM (openssl pkcs7 -in FILE -print_certs -out certs.pem)',
      };
  } catch {
    // not even DER: the generic message below
  }
  return { code: 'ERR_FOREIGN_NOT_CERTIFICATE', message: 'not an X.509 certificate (neither PEM nor DER)' };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]{1,64})-----([\s\S]*?)-----END \1-----/g;

function readPem(file: string, text: string, out: ReadCertificates): void {
  let n = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    n++;
    const label = m[1]!;
    if (/PRIVATE KEY/.test(label)) {
      out.problems.push({ file, item: n, code: 'ERR_FOREIGN_PRIVATE_KEY', message: PRIVATE_KEY_TEXT });
      continue;
    }
    if (label !== 'CERTIFICATE' && label !== 'X509 CERTIFICATE' && label !== 'TRUSTED CERTIFICATE') {
      const what = label === 'CERTIFICATE REQUEST' || label === 'NEW CERTIFICATE REQUEST' ? ' (a CSR)' : '';
      out.problems.push({
        file,
        item: n,
        code: 'ERR_FOREIGN_NOT_CERTIFICATE',
        message: `a PEM "${label}" block${what}, not a certificate`,
      });
      continue;
    }
    const b64 = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length === 0) {
      out.problems.push({
        file,
        item: n,
        code: 'ERR_FOREIGN_NOT_CERTIFICATE',
        message: 'a PEM CERTIFICATE block whose body is not base64',
      });
      continue;
    }
    out.items.push({ file, item: n, der: Buffer.from(b64, 'base64') });
  }
  // A BEGIN without its END (a truncated copy and paste), or a key outside any complete block.
  const rest = text.replace(PEM_BLOCK, '');
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(rest))
    out.problems.push({ file, code: 'ERR_FOREIGN_PRIVATE_KEY', message: PRIVATE_KEY_TEXT });
  else if (/-----BEGIN /.test(rest))
    out.problems.push({
      file,
      code: 'ERR_FOREIGN_NOT_CERTIFICATE',
      message: 'a PEM block has no matching END line (truncated copy?)',
    });
  else if (n === 0)
    out.problems.push({ file, code: 'ERR_FOREIGN_NOT_CERTIFICATE', message: 'no PEM block in the file' });
}

function readDer(file: string, bytes: Buffer, out: ReadCertificates): void {
  const elements: Buffer[] = [];
  let p = 0;
  try {
    while (p < bytes.length) {
      const node = readNode(bytes, p);
      if (node.tag !== 0x30) throw new Error('not a DER SEQUENCE');
      elements.push(bytes.subarray(node.start, node.end));
      p = node.end;
    }
  } catch {
    // Not a clean run of DER elements: judge the whole file as one (it may still be a key in another form).
    out.problems.push({ file, ...classifyNonCertificate(bytes) });
    return;
  }
  for (const [i, der] of elements.entries()) out.items.push({ file, item: i + 1, der });
}

/**
 * Splits the files into candidate certificate DERs. A private key anywhere is a problem of its own code; every
 * other block or element that cannot be a certificate is ERR_FOREIGN_NOT_CERTIFICATE. Parsing the candidates as
 * X.509 is the caller's next step (`notCertificateProblem` for the ones that fail).
 */
export function readCertificateFiles(files: readonly ForeignCertificateFile[]): ReadCertificates {
  const out: ReadCertificates = { items: [], problems: [] };
  for (const f of files) {
    const bytes = Buffer.from(f.bytes);
    if (bytes.length === 0) {
      out.problems.push({ file: f.name, code: 'ERR_FOREIGN_NOT_CERTIFICATE', message: 'the file is empty' });
      continue;
    }
    if (bytes.length > MAX_FOREIGN_FILE_BYTES) {
      out.problems.push({
        file: f.name,
        code: 'ERR_FOREIGN_NOT_CERTIFICATE',
        message: `${bytes.length} bytes: larger than any certificate file (limit ${MAX_FOREIGN_FILE_BYTES})`,
      });
      continue;
    }
    const head = bytes.subarray(0, 4096).toString('latin1');
    if (/PuTTY-User-Key-File|-----BEGIN OPENSSH PRIVATE KEY-----/.test(head)) {
      out.problems.push({ file: f.name, code: 'ERR_FOREIGN_PRIVATE_KEY', message: PRIVATE_KEY_TEXT });
      continue;
    }
    if (bytes.includes('-----BEGIN ')) readPem(f.name, bytes.toString('latin1'), out);
    else readDer(f.name, bytes, out);
  }
  return out;
}

/** The problem for a candidate that X.509 parsing refused: a key in DER form, a PKCS#12, or just not a certificate. */
export function notCertificateProblem(item: { file: string; item: number; der: Buffer }): InputProblem {
  return { file: item.file, item: item.item, ...classifyNonCertificate(item.der) };
}
