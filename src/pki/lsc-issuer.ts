// Owns the LSC hot path: a certificate template precomputed from the CAPF certificate, so each LSC costs
// one DER assembly and one signature (the issuing profile of profiles.ts#issueLsc, byte for byte in
// meaning; @peculiar/x509 is kept for everything that is not per-phone). See docs/performance.md.

import { createHash, createPublicKey, sign as signCb, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../shared/errors.ts';
import {
  children,
  explicit,
  oid,
  readNode,
  seq,
  set,
  tlv,
  utf8String,
  octetString,
  bitString,
  time,
  unsignedInteger,
  BOOLEAN_TRUE,
  NULL,
} from './der.ts';
import { randomSerialHex, LSC_BACKDATE_MS, LSC_MAX_VALIDITY_DAYS, OID_EKU, subjectPublicKeyBits } from './profiles.ts';
import { EC_CURVES, keySpecOf } from './keys.ts';
import { parseSpki } from './spki.ts';
import { formatDn, LSC_INHERITED_ATTRIBUTES } from './names.ts';
import type { CertificateInfo } from './certificate-info.ts';

const signAsync = promisify(signCb);
const DAY_MS = 86_400_000;

const ATTR_OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
};
const INHERITED_OIDS = new Set(LSC_INHERITED_ATTRIBUTES.map((a) => oid(ATTR_OIDS[a]!).toString('hex')));

export interface LscTemplateOptions {
  crlDistributionPointUrl?: string | null;
  ocspUrl?: string | null;
}

export interface IssuedLsc {
  der: Buffer;
  serialHex: string;
  subjectDn: string;
  issuerDn: string;
  notBefore: Date;
  notAfter: Date;
}

export interface LscTemplate {
  issue(req: { deviceName: string; publicKeySpki: Uint8Array; validityDays: number; now: Date }): Promise<IssuedLsc>;
}

/** Extracts tbsCertificate.subject (raw DER) and the SKI value from a certificate. */
function issuerParts(der: Buffer): { subjectName: Buffer; subjectKeyId: Buffer | null } {
  const cert = readNode(der, 0);
  const tbs = children(der, cert)[0]!;
  const f = children(der, tbs);
  const hasVersion = f[0]!.tag === 0xa0;
  const subject = f[hasVersion ? 5 : 4]!;
  let subjectKeyId: Buffer | null = null;
  const ext = f.find((n) => n.tag === 0xa3);
  if (ext) {
    const list = children(der, children(der, ext)[0]!);
    const skiOid = oid('2.5.29.14').toString('hex');
    for (const e of list) {
      const parts = children(der, e);
      if (Buffer.from(der.subarray(parts[0]!.start, parts[0]!.end)).toString('hex') === skiOid) {
        const octet = parts[parts.length - 1]!;
        const inner = readNode(der, octet.contentStart, octet.end);
        subjectKeyId = Buffer.from(der.subarray(inner.contentStart, inner.end));
      }
    }
  }
  return { subjectName: Buffer.from(der.subarray(subject.start, subject.end)), subjectKeyId };
}

/** The RDN SETs of the issuer subject that an LSC inherits (O, OU, L, ST, C), raw, in issuer order. */
function inheritedRdns(name: Buffer): Buffer[] {
  const root = readNode(name, 0);
  const out: Buffer[] = [];
  for (const rdn of children(name, root)) {
    const attrs = children(name, rdn);
    const allInherited = attrs.every((a) => {
      const t = children(name, a)[0]!;
      return INHERITED_OIDS.has(Buffer.from(name.subarray(t.start, t.end)).toString('hex'));
    });
    if (allInherited) out.push(Buffer.from(name.subarray(rdn.start, rdn.end)));
  }
  return out;
}

export function createLscTemplate(
  issuer: CertificateInfo,
  privateKey: KeyObject,
  o: LscTemplateOptions = {},
): LscTemplate {
  const spec = keySpecOf(privateKey);
  const hash = spec.type === 'rsa' ? 'sha256' : EC_CURVES[spec.curve].hash.replace('-', '').toLowerCase();
  const sigAlg =
    spec.type === 'rsa'
      ? seq(oid('1.2.840.113549.1.1.11'), NULL)
      : seq(
          oid({ sha256: '1.2.840.10045.4.3.2', sha384: '1.2.840.10045.4.3.3', sha512: '1.2.840.10045.4.3.4' }[hash]!),
        );
  const { subjectName, subjectKeyId } = issuerParts(issuer.der);
  const akiKeyId =
    subjectKeyId ??
    createHash('sha1')
      .update(subjectPublicKeyBits(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })))
      .digest();
  const subjectTail = Buffer.concat(inheritedRdns(subjectName));
  const inheritedAttrs = issuer.subject.filter((a) => (LSC_INHERITED_ATTRIBUTES as readonly string[]).includes(a.type));
  // The subject's text form: only the CN changes per LSC, the inherited part is formatted once.
  const inheritedDn = inheritedAttrs.length > 0 ? `, ${formatDn(inheritedAttrs)}` : '';
  const version = explicit(0, Buffer.from([0x02, 0x01, 0x02]));
  const ext = (id: string | Buffer, critical: boolean, value: Uint8Array) =>
    seq(typeof id === 'string' ? oid(id) : id, ...(critical ? [BOOLEAN_TRUE] : []), octetString(value));
  const cnOid = oid(ATTR_OIDS.CN!);
  const skiOid = oid('2.5.29.14');
  const basicConstraints = ext('2.5.29.19', true, seq());
  const keyUsageRsa = ext('2.5.29.15', true, bitString(Uint8Array.of(0xa0), 5)); // digitalSignature, keyEncipherment
  const keyUsageEc = ext('2.5.29.15', true, bitString(Uint8Array.of(0x80), 7)); // digitalSignature
  const eku = ext(
    '2.5.29.37',
    false,
    seq(oid(OID_EKU.serverAuth), oid(OID_EKU.clientAuth), oid(OID_EKU.ipsecEndSystem)),
  );
  const aki = ext('2.5.29.35', false, seq(tlv(0x80, akiKeyId)));
  const optional: Buffer[] = [];
  if (o.crlDistributionPointUrl)
    optional.push(
      ext(
        '2.5.29.31',
        false,
        seq(seq(explicit(0, explicit(0, tlv(0x86, Buffer.from(o.crlDistributionPointUrl, 'ascii')))))),
      ),
    );
  if (o.ocspUrl)
    optional.push(
      ext('1.3.6.1.5.5.7.1.1', false, seq(seq(oid('1.3.6.1.5.5.7.48.1'), tlv(0x86, Buffer.from(o.ocspUrl, 'ascii'))))),
    );

  return {
    async issue(req) {
      if (!Number.isInteger(req.validityDays) || req.validityDays < 1 || req.validityDays > LSC_MAX_VALIDITY_DAYS) {
        throw new AppError('ERR_BAD_REQUEST', `LSC validity must be 1..${LSC_MAX_VALIDITY_DAYS} days`);
      }
      if (issuer.notAfter.getTime() <= req.now.getTime()) {
        throw new AppError(
          'ERR_PKI_CA_EXPIRED',
          `the CAPF certificate expired on ${issuer.notAfter.toISOString()}; ` +
            'regenerate it (opencapf cert regenerate capf) before installing LSCs',
        );
      }
      // Strict DER check (one element, nothing trailing, RSA/EC only) before the bytes go into the certificate.
      const key = parseSpki(req.publicKeySpki);
      const spki = Buffer.from(req.publicKeySpki);
      const serialHex = randomSerialHex();
      const notBefore = new Date(Math.floor((req.now.getTime() - LSC_BACKDATE_MS) / 1000) * 1000);
      const notAfter = new Date(
        Math.floor(Math.min(req.now.getTime() + req.validityDays * DAY_MS, issuer.notAfter.getTime()) / 1000) * 1000,
      );
      const subject = seq(set(seq(cnOid, utf8String(req.deviceName))), subjectTail);
      const ski = ext(skiOid, false, octetString(createHash('sha1').update(subjectPublicKeyBits(spki)).digest()));
      const extensions = explicit(
        3,
        seq(basicConstraints, key.type === 'rsa' ? keyUsageRsa : keyUsageEc, eku, ski, aki, ...optional),
      );
      const tbs = seq(
        version,
        unsignedInteger(Buffer.from(serialHex, 'hex')),
        sigAlg,
        subjectName,
        seq(time(notBefore), time(notAfter)),
        subject,
        spki,
        extensions,
      );
      const signature = await signAsync(hash, tbs, privateKey);
      const der = seq(tbs, sigAlg, bitString(signature));
      return {
        der,
        serialHex: serialHex.toUpperCase(),
        subjectDn: `${formatDn([{ type: 'CN', value: req.deviceName }])}${inheritedDn}`,
        issuerDn: issuer.subjectDn,
        notBefore,
        notAfter,
      };
    },
  };
}
