// Owns the provisioning file catalogue: what a phone gets for a file name over TFTP, HTTP 6970 or
// HTTPS 6971 (phone-config.md §4, §5; tlv-files.md §8), with content type and ETag, cached until an input changes.
//
// Lookup order for one name (first match wins):
//   1. a pinned per-phone file (ITLSEP<MAC>.tlv / CTLSEP<MAC>.tlv, `opencapf itl pin`)
//   2. generated: ITLFile.tlv, ITLSEP<MAC>.tlv (= the default ITL), CTLFile.tlv / CTLSEP<MAC>.tlv
//      (mixed mode only), SEP<MAC>.cnf.xml, .cnf.xml.sgn, .cnf.xml.enc.sgn (known phones only)
//   3. the static directory (provisioning.staticDir), which refuses any name that leaves it
// Every name is answered independently; absent files are "not found" at once (phone-config.md §5).

import { createHash } from 'node:crypto';
import { encryptConfig, signSgn, type Signer } from '../trust/index.ts';
import type { DeviceSecurityMode, AuthMode } from '../phones/index.ts';
import { buildPhoneConfig, type PhoneConfigCluster } from './phone-config.ts';
import type { TrustFiles } from './trust-files.ts';
import type { TftpFileSource, TftpPeer } from './tftp/index.ts';

/** What the catalogue needs to know about one phone (built in app/ from the store). */
export interface ProvisionedPhone {
  deviceName: string;
  description: string;
  configVersion: number;
  authMode: AuthMode;
  deviceSecurityMode: DeviceSecurityMode;
  encryptedConfig: boolean;
  /** The phone's current LSC (DER) to wrap the config key for, when it has one. */
  deviceCertificateDer: Buffer | null;
  /** Changes whenever anything above changes (record + profile versions); part of the cache key. */
  stamp: string;
}

export interface PhoneRecordSource {
  lookup(deviceName: string): Promise<ProvisionedPhone | null>;
}

/** Pinned per-phone files (ITLSEP<MAC>.tlv, CTLSEP<MAC>.tlv) stored by an administrator. */
export interface OverrideSource {
  get(fileName: string): Buffer | null;
}

export interface CatalogueFile {
  body: Buffer;
  contentType: string;
  /** Strong ETag, quoted. */
  etag: string;
  kind: 'itl' | 'ctl' | 'config' | 'override' | 'static';
}

export type CatalogueResult = CatalogueFile | null | { denied: string };

export interface CatalogueRequest {
  /** HTTPS 6971: `SEP<MAC>.cnf.xml.sgn` is answered with the unsigned XML (tlv-files.md §10). */
  https?: boolean;
  peer?: TftpPeer;
  /** Which server asks (for ITL File Status); HTTP(S) when absent and not from tftpSource(). */
  via?: 'TFTP' | 'HTTP' | 'HTTPS';
}

/** What one request was answered with, for observers (ITL File Status). Never holds a secret. */
export interface ServedFile {
  /** The requested name without a leading '/'. */
  name: string;
  address: string;
  via: 'TFTP' | 'HTTP' | 'HTTPS';
  /** null: not found or refused. */
  body: Buffer | null;
  kind: string | null;
}

export interface FileCatalogue {
  open(fileName: string, req?: CatalogueRequest): Promise<CatalogueResult>;
  /** The generated SEP<MAC>.cnf.xml (plain) of a known phone, or null. */
  phoneConfig(deviceName: string): Promise<string | null>;
  /** Adapter for the TFTP server. */
  tftpSource(): TftpFileSource;
  /** Drops cached phone configurations (cluster settings or the TFTP signer changed). */
  invalidate(): void;
}

export interface FileCatalogueOptions {
  trust: TrustFiles;
  phones: PhoneRecordSource;
  overrides: OverrideSource;
  staticFiles: TftpFileSource | null;
  cluster: () => PhoneConfigCluster;
  /** The TFTP identity: signs .sgn / .enc.sgn. */
  tftpSigner: () => Signer;
  now: () => Date;
  /** Phones whose generated files are kept in memory (boot storms ask for the same few files many times). */
  maxCachedPhones?: number;
  onWarning?(deviceName: string, message: string): void;
  /** Told of every request after it was answered (must not throw or block: it only queues). */
  onServed?(f: ServedFile): void;
}

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.tlv': 'application/octet-stream',
  '.sgn': 'application/octet-stream',
  '.xml': 'text/xml; charset=utf-8',
  '.cnf': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.loads': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.raw': 'application/octet-stream',
  '.pem': 'application/x-pem-file',
  '.crl': 'application/pkix-crl',
};

export function contentTypeOf(name: string): string {
  const m = /\.[A-Za-z0-9]+$/.exec(name);
  return (m && CONTENT_TYPES[m[0].toLowerCase()]) ?? 'application/octet-stream';
}

export function etagOf(body: Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

const TRUST_NAME = /^(ITL|CTL)SEP([0-9A-F]{12})\.tlv$/;
const CONFIG_NAME = /^(SEP[0-9A-F]{12})\.cnf\.xml(\.sgn|\.enc\.sgn)?$/;
const HTTP_PEER: TftpPeer = { address: '0.0.0.0', port: 0 };

interface PhoneFiles {
  key: string;
  xml: CatalogueFile;
  /** The plain XML served on HTTPS for the .sgn name (the stub when encrypted). */
  httpsXml: CatalogueFile;
  sgn: CatalogueFile;
  encSgn: CatalogueFile | null;
}

function file(body: Buffer, contentType: string, kind: CatalogueFile['kind']): CatalogueFile {
  return { body, contentType, etag: etagOf(body), kind };
}

export function createFileCatalogue(o: FileCatalogueOptions): FileCatalogue {
  const maxCached = o.maxCachedPhones ?? 20_000;
  const phoneCache = new Map<string, PhoneFiles>();
  const trustCache = new WeakMap<Buffer, CatalogueFile>();
  const staticEtags = new WeakMap<Buffer, string>();
  let clusterStamp = 0;

  function trustFile(bytes: Buffer, kind: 'itl' | 'ctl' | 'override'): CatalogueFile {
    let f = trustCache.get(bytes);
    if (!f) {
      f = file(bytes, CONTENT_TYPES['.tlv']!, kind);
      trustCache.set(bytes, f);
    }
    return f;
  }

  async function phoneFiles(deviceName: string): Promise<PhoneFiles | null> {
    const phone = await o.phones.lookup(deviceName);
    if (!phone) return null;
    const signer = o.tftpSigner();
    const key = `${phone.stamp}|${signer.certificate.sha1}|${clusterStamp}`;
    const cached = phoneCache.get(deviceName);
    if (cached?.key === key) return cached;
    const xmlText = buildPhoneConfig({
      deviceName: phone.deviceName,
      description: phone.description,
      configVersion: phone.configVersion,
      authMode: phone.authMode,
      deviceSecurityMode: phone.deviceSecurityMode,
      cluster: o.cluster(),
    });
    const xml = Buffer.from(xmlText, 'utf8');
    const now = o.now();
    const xmlType = CONTENT_TYPES['.xml']!;
    let built: PhoneFiles;
    const canEncrypt = phone.encryptedConfig && phone.deviceCertificateDer !== null;
    if (phone.encryptedConfig && !canEncrypt)
      o.onWarning?.(
        deviceName,
        'profile asks for an encrypted configuration but the phone has no LSC yet: serving it signed, not encrypted',
      );
    let enc: ReturnType<typeof encryptConfig> | null = null;
    if (canEncrypt) {
      try {
        enc = encryptConfig({ xml, deviceName, deviceCertificate: phone.deviceCertificateDer!, signer, now });
      } catch (e) {
        o.onWarning?.(
          deviceName,
          `cannot encrypt the configuration (${(e as Error).message}): serving it signed, not encrypted`,
        );
      }
    }
    if (enc) {
      built = {
        key,
        // The full plain XML is never served when the profile asks for encryption (enccnf deletes it).
        xml: file(Buffer.from(enc.stubXml, 'utf8'), xmlType, 'config'),
        httpsXml: file(Buffer.from(enc.stubXml, 'utf8'), xmlType, 'config'),
        sgn: file(enc.stub, CONTENT_TYPES['.sgn']!, 'config'),
        encSgn: file(enc.encSgn, CONTENT_TYPES['.sgn']!, 'config'),
      };
    } else {
      const plain = file(xml, xmlType, 'config');
      built = {
        key,
        xml: plain,
        httpsXml: plain,
        sgn: file(
          signSgn({ payload: xml, fileName: `${deviceName}.cnf.xml.sgn`, signer, now }),
          CONTENT_TYPES['.sgn']!,
          'config',
        ),
        encSgn: null,
      };
    }
    phoneCache.delete(deviceName);
    phoneCache.set(deviceName, built);
    if (phoneCache.size > maxCached) phoneCache.delete(phoneCache.keys().next().value!);
    return built;
  }

  async function open(rawName: string, req: CatalogueRequest = {}): Promise<CatalogueResult> {
    const r = await answer(rawName, req);
    if (o.onServed) {
      const served = r !== null && !('denied' in r) ? r : null;
      o.onServed({
        name: rawName.startsWith('/') ? rawName.slice(1) : rawName,
        address: req.peer?.address ?? '',
        via: req.via ?? (req.https ? 'HTTPS' : 'HTTP'),
        body: served ? served.body : null,
        kind: served ? served.kind : null,
      });
    }
    return r;
  }

  async function answer(rawName: string, req: CatalogueRequest): Promise<CatalogueResult> {
    const name = rawName.startsWith('/') ? rawName.slice(1) : rawName;
    if (name === 'ITLFile.tlv') return trustFile(o.trust.itl().bytes, 'itl');
    if (name === 'CTLFile.tlv') {
      const ctl = o.trust.ctl();
      return ctl ? trustFile(ctl.bytes, 'ctl') : staticFile(name, req);
    }
    const t = TRUST_NAME.exec(name);
    if (t) {
      const pinned = o.overrides.get(name);
      if (pinned) return trustFile(pinned, 'override');
      if (t[1] === 'ITL') return trustFile(o.trust.itl().bytes, 'itl');
      const ctl = o.trust.ctl();
      return ctl ? trustFile(ctl.bytes, 'ctl') : staticFile(name, req);
    }
    const c = CONFIG_NAME.exec(name);
    if (c) {
      const files = await phoneFiles(c[1]!);
      if (!files) return staticFile(name, req);
      if (c[2] === undefined) return files.xml;
      if (c[2] === '.sgn') return req.https ? files.httpsXml : files.sgn;
      return files.encSgn ?? staticFile(name, req);
    }
    return staticFile(name, req);
  }

  async function staticFile(name: string, req: CatalogueRequest): Promise<CatalogueResult> {
    if (!o.staticFiles) return null;
    const r = await o.staticFiles.open(name, req.peer ?? HTTP_PEER);
    if (r === null || !Buffer.isBuffer(r)) return r;
    let etag = staticEtags.get(r);
    if (!etag) {
      etag = etagOf(r);
      staticEtags.set(r, etag);
    }
    return { body: r, contentType: contentTypeOf(name), etag, kind: 'static' };
  }

  return {
    open,
    async phoneConfig(deviceName) {
      const f = await phoneFiles(deviceName);
      return f ? f.httpsXml.body.toString('utf8') : null;
    },
    tftpSource() {
      return {
        async open(filename, peer) {
          const r = await open(filename, { peer, via: 'TFTP' });
          return r === null || 'denied' in r ? r : r.body;
        },
      };
    },
    invalidate() {
      clusterStamp++;
      phoneCache.clear();
    },
  };
}
