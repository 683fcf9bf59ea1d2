// Owns the HTTP face of revocation, plugged into the HTTP 6970 provisioning listener (ctx.httpExtensions):
//   GET  /crl/capf.crl  /crl/capf.pem              CRL of the current CAPF CA (DER application/pkix-crl, PEM)
//   GET  /crl/capf-previous.crl  /crl/capf-previous.pem   CRL of the previous CAPF CA during a rollover
//   GET  /trust/capf-bundle.pem                    CAPF CA certificates relying parties trust
//   POST /ocsp  (application/ocsp-request)          OCSP, RFC 6960 Appendix A.1
//   GET  /ocsp/<url-encoded base64 request>
// Everything else is "not mine" (null).

import type { HttpExtension, HttpExtensionResponse } from '../provisioning/http-extension.ts';
import { encodeErrorResponse, OcspResponseStatus, OCSP_LIMITS } from './ocsp-codec.ts';
import type { CaGeneration, RevocationService } from './service.ts';

const CRL_PATHS: Record<string, { generation: CaGeneration; format: 'der' | 'pem' }> = {
  '/crl/capf.crl': { generation: 'current', format: 'der' },
  '/crl/capf.pem': { generation: 'current', format: 'pem' },
  '/crl/capf-previous.crl': { generation: 'previous', format: 'der' },
  '/crl/capf-previous.pem': { generation: 'previous', format: 'pem' },
};

const text = (status: number, body: string, extra: Record<string, string> = {}): HttpExtensionResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
  body: Buffer.from(`${body}\n`),
});

const ocspReply = (body: Buffer): HttpExtensionResponse => ({
  status: 200,
  headers: { 'content-type': 'application/ocsp-response', 'cache-control': 'no-cache' },
  body,
});

export function createRevocationHttpHandler(svc: RevocationService): HttpExtension {
  return async (req) => {
    const path = req.path;
    const crl = CRL_PATHS[path];
    if (crl) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed', { allow: 'GET, HEAD' });
      const c = await svc.crl(crl.generation);
      if (!c) return text(404, 'no previous CAPF certificate: there is no rollover in progress');
      return {
        status: 200,
        headers: {
          'content-type': crl.format === 'der' ? 'application/pkix-crl' : 'application/x-pem-file',
          'last-modified': c.thisUpdate.toUTCString(),
          expires: c.nextUpdate.toUTCString(),
          'cache-control': 'no-cache',
        },
        body: crl.format === 'der' ? c.der : Buffer.from(c.pem),
      };
    }
    if (path === '/trust/capf-bundle.pem') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed', { allow: 'GET, HEAD' });
      return {
        status: 200,
        headers: { 'content-type': 'application/x-pem-file', 'cache-control': 'no-cache' },
        body: Buffer.from(svc.trustBundle().pem),
      };
    }
    if (path === '/ocsp' || path === '/ocsp/') {
      if (req.method !== 'POST')
        return text(405, 'OCSP: POST an application/ocsp-request, or GET /ocsp/<base64>', { allow: 'POST' });
      if (req.body.length > OCSP_LIMITS.maxRequestBytes) return text(413, 'OCSP request too large');
      return ocspReply(await svc.ocsp(req.body));
    }
    if (path.startsWith('/ocsp/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return text(405, 'method not allowed', { allow: 'GET, HEAD, POST' });
      const encoded = path.slice('/ocsp/'.length);
      // base64 of the largest request, percent-encoded: at most 3 characters per base64 character.
      if (encoded.length > Math.ceil((OCSP_LIMITS.maxRequestBytes * 4) / 3) * 3)
        return text(414, 'OCSP request too large');
      let b64: string;
      try {
        b64 = decodeURIComponent(encoded);
      } catch {
        return ocspReply(encodeErrorResponse(OcspResponseStatus.malformedRequest));
      }
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
        return ocspReply(encodeErrorResponse(OcspResponseStatus.malformedRequest));
      return ocspReply(await svc.ocsp(Buffer.from(b64, 'base64')));
    }
    return null;
  };
}
