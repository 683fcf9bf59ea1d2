// Owns the annotated CAPF test vectors: one per message of spec §6 (shared/spec/capf-protocol.md).
//
// Each vector is data: `hex` is the exact frame (one element per line, `#` comments), `layout`
// names every field with its offset, `decoded` is the expected CapfMessage. `encodeOptions` is set
// only when the element order differs from capfd's (Jabber). `build` shows which builder makes it.
//
// The headers and short frames are copied from §6 / §8; the long values (certificate, keys,
// signatures) are throw-away material made with openssl for this file:
//   openssl ecparam -name prime256v1 -genkey -noout -out lsc.key
//   openssl req -x509 -new -key lsc.key -subj /CN=SEP001122334455 -days 3650 -set_serial 0x2a -sha256
//   openssl genrsa 2048 | openssl pkey -pubout -outform der          (RSA_SPKI)
//   openssl ecparam -name prime256v1 -genkey | openssl pkey -pubout -outform der   (EC_SPKI)
// SIG_* are DER ECDSA signatures by lsc.key over authData('SEP001122334455', LSC_DER) (§5.4);
// SUDI_* over sudiAuthData(12, LSC_DER) (§5.5); LSC_DER also serves as SUDI, as in the §5.4 example.

import { hexToBytes } from '../../src/shared/bytes.ts';
import {
  authRequest,
  authResponse,
  deleteCertificateRequest,
  deleteCertificateResponse,
  endSession,
  fetchCertificateRequest,
  fetchCertificateResponse,
  keyGenerateRequestEc,
  keyGenerateRequestRsa,
  keyGenerateResponse,
  requestInProgress,
  storeCertificateRequest,
  storeCertificateResponse,
} from '../../src/capf/codec.ts';
import type { CapfMessage, EncodeOptions } from '../../src/capf/codec.ts';

export interface CapfVector {
  title: string;
  source: string;
  hex: string;
  layout: string[];
  decoded: CapfMessage;
  encodeOptions?: EncodeOptions;
  build?: () => CapfMessage;
}

// LSC_DER 378 bytes (0x17a)
export const LSC_DER = `
  30 82 01 76 30 82 01 1c a0 03 02 01 02 02 01 2a 30 0a 06 08 2a 86 48 ce
  3d 04 03 02 30 1a 31 18 30 16 06 03 55 04 03 0c 0f 53 45 50 30 30 31 31
  32 32 33 33 34 34 35 35 30 1e 17 0d 32 36 31 31 32 37 30 30 30 36 31 37
  5a 17 0d 33 36 31 31 32 34 30 30 30 36 31 37 5a 30 1a 31 18 30 16 06 03
  55 04 03 0c 0f 53 45 50 30 30 31 31 32 32 33 33 34 34 35 35 30 59 30 13
  06 07 2a 86 48 ce 3d 02 01 06 08 2a 86 48 ce 3d 03 01 07 03 42 00 04 79
  01 d2 29 a2 1c 68 68 d6 58 56 ee 93 32 01 60 2b 50 42 4e 26 53 1c 77 4b
  08 5b 9b 28 1e 4d b3 ce 73 9c 3d 08 9c 1b 51 8d 76 8b 75 5a 13 e3 bb c8
  87 4e 73 78 d9 61 6c 33 8f 07 2a 16 af 6b b5 a3 53 30 51 30 1d 06 03 55
  1d 0e 04 16 04 14 64 df 01 84 48 6e a7 69 b8 62 2d 3a fd 3a 5c f4 e9 d4
  41 94 30 1f 06 03 55 1d 23 04 18 30 16 80 14 64 df 01 84 48 6e a7 69 b8
  62 2d 3a fd 3a 5c f4 e9 d4 41 94 30 0f 06 03 55 1d 13 01 01 ff 04 05 30
  03 01 01 ff 30 0a 06 08 2a 86 48 ce 3d 04 03 02 03 48 00 30 45 02 20 0f
  ac 27 da 3a 21 0b 0b b6 d6 e2 f6 c8 a9 a6 5d b0 f5 ae 64 ed 22 3f 0f 63
  57 28 35 50 15 fa 93 02 21 00 bf 43 ce 33 14 79 f6 f8 f0 04 33 22 ee 4a
  7b 4d 69 ac 23 d5 ec 4e 03 bd 65 c1 8e d9 c1 7f 5a 66
`;

// RSA_SPKI 294 bytes (0x126)
export const RSA_SPKI = `
  30 82 01 22 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01 05 00 03 82 01 0f 00
  30 82 01 0a 02 82 01 01 00 99 65 5c 7c a9 d9 35 d1 25 b4 79 5b aa b5 30
  87 5f fa 6e 34 15 d0 ea 2e 98 f4 fd 71 50 d3 bc fa 94 d8 76 3b fb 2d 84
  61 6e 76 ca 87 cc 05 c2 6f 42 76 f4 37 66 48 ab 84 cc b8 af 1a 34 8d 56
  36 1f 2b 33 2f 41 60 45 f6 a8 ca e7 dd 81 6f 83 b9 9b 04 ef 46 a7 5a 63
  74 db 24 73 3d 33 56 d5 0b aa 65 f8 31 58 07 a4 64 eb 48 3e b6 b3 e5 01
  7c 78 c6 74 a8 94 14 e4 da e5 54 f3 aa d1 ea dc 35 1b b8 0a c4 45 23 3a
  35 39 42 cb 7c be bb 1b 03 a0 00 54 4f e5 4f 3d 40 79 a3 45 8b 80 bc b5
  36 53 bd aa fe 2d ee 4b 99 0b e5 c0 db 6a e4 99 75 31 7c 34 62 29 04 65
  b1 1e 29 e4 ec ed 4b c5 78 56 1d 12 71 c7 00 e7 dc ad 4c b3 c9 b0 c9 69
  ec fb 03 fa 37 41 80 f7 5d cc 26 3e e6 e7 69 ba 5c 19 1c 99 82 19 16 7b
  75 ff e1 87 73 fc 16 14 ac 21 f7 19 08 ae f6 00 44 54 dc 84 a9 59 76 8a
  07 02 03 01 00 01
`;

// EC_SPKI 91 bytes (0x5b)
export const EC_SPKI = `
  30 59 30 13 06 07 2a 86 48 ce 3d 02 01 06 08 2a 86 48 ce 3d 03 01 07 03
  42 00 04 d9 eb 4d b2 49 fc 49 bb df d2 8f 43 c6 b4 51 4e 15 58 3c 56 97
  4d 4a 15 27 8e b2 e7 14 13 6d c1 7b 63 50 81 79 cb 3b 58 34 e2 50 cb eb
  fd 6c 09 85 49 59 be 07 f2 68 c5 d2 e2 c4 8b 59 45 61 12
`;

// SIG_SHA1 71 bytes (0x47)
export const SIG_SHA1 = `
  30 45 02 20 71 98 31 34 e3 87 de 9d f4 76 82 45 11 d6 30 c3 a6 a4 a1 73
  96 21 f7 b9 84 16 36 22 19 a5 7b a9 02 21 00 8f 95 f0 85 24 2f d6 73 38
  56 ce d5 c2 49 f3 f3 d3 c3 b0 4b 4c 50 e8 ec a8 4b 83 08 ae 95 75 99
`;

// SIG_SHA512 70 bytes (0x46)
export const SIG_SHA512 = `
  30 44 02 20 74 78 af ab 4f a5 22 b4 50 61 6b 20 8b 00 51 49 6d b8 2d 86
  98 10 72 d8 ab ab ea 97 d6 4d 8d 20 02 20 1a 1d d9 8e af 95 9c 8f 0e 15
  5b d0 05 d7 38 f4 d9 68 6b 0f f6 e2 ae 40 0b d8 92 39 3e e1 9e 7a
`;

// SUDI_SHA1 71 bytes (0x47)
export const SUDI_SHA1 = `
  30 45 02 20 25 13 6c 90 d7 a8 4d 77 51 7e 49 d2 40 13 65 21 6e 23 b2 98
  67 96 b4 a9 57 d9 65 41 2d 71 75 a1 02 21 00 93 4b 7d 5e 69 5e 48 e9 27
  3e 9a 98 3f 63 ed d0 8f 18 98 6f 35 53 db 1d 3a bc 1c 3d ef a9 e7 04
`;

// SUDI_SHA512 70 bytes (0x46)
export const SUDI_SHA512 = `
  30 44 02 20 3c 67 c5 73 4e fc a0 44 42 ed d9 6a 6d ec 4e 1e 9c fe df f3
  d5 d4 14 24 1d 41 28 0d 86 28 3d 39 02 20 1c 9c 83 11 4e 53 41 bf 94 09
  64 06 57 e4 fe 31 47 c1 2e e8 53 fe 3c 59 d3 f7 05 f1 c8 91 6f d6
`;

const b = hexToBytes;
const TYPE_00_01 = b('00 01');

function msg(command: number, sessionId: number, elements: CapfMessage['elements']): CapfMessage {
  return { command, sessionId, elements, unknownElements: [] };
}

export const CAPF_VECTORS: CapfVector[] = [
  // ---------------------------------------------------------------- §6.1 opening
  {
    title: 'AUTH_REQUEST, capfd form: VERSION=3, AUTH_TYPE=0',
    source: 'spec §6.1, §10.1 (capfd loopback trace)',
    hex: `
      55 01 00 00 00 01 00 08   # header: 0x55, AUTH_REQUEST, session 1, body 8
      07 00 01 03               # VERSION = 3
      08 00 01 00               # AUTH_TYPE = 0 (none)
    `,
    layout: [
      '0 protocol id 0x55',
      '1 command 1 AUTH_REQUEST',
      '2 session id u32 = 1',
      '6 body length u16 = 8',
      '8 VERSION tag 7 len 1 value 3',
      '12 AUTH_TYPE tag 8 len 1 value 0',
    ],
    decoded: msg(1, 1, { version: 3, authType: 0 }),
    build: () => authRequest(1, { version: 3, authType: 0 }),
  },
  {
    title: 'AUTH_REQUEST, CUCM-identical form: VERSION=3 only',
    source: 'spec §8 (Jabber4Linux capture of a real CUCM)',
    hex: `
      55 01 00 00 00 02 00 04   # header: AUTH_REQUEST, session 2, body 4
      07 00 01 03               # VERSION = 3
    `,
    layout: [
      '0 protocol id 0x55',
      '1 command 1 AUTH_REQUEST',
      '2 session id = 2',
      '6 body length = 4',
      '8 VERSION = 3',
    ],
    decoded: msg(1, 2, { version: 3 }),
    build: () => authRequest(2),
  },
  {
    title: 'AUTH_RESPONSE, capfc null-string mode: REASON, VERSION, empty PASSWORD, DEVICE_NAME',
    source: 'spec §6.1, §5.3 (capfc)',
    hex: `
      55 02 00 00 00 01 00 1f   # header: AUTH_RESPONSE, session 1, body 31
      01 00 01 01               # REASON = 1
      07 00 01 03               # VERSION = 3
      0b 00 01 00               # PASSWORD = "" (just the NUL)
      0d 00 10 53 45 50 30 30 31 31 32 32 33 33 34 34 35 35 00   # DEVICE_NAME = "SEP001122334455\\0"
    `,
    layout: [
      '0 header (command 2, session 1, length 31)',
      '8 REASON = 1',
      '12 VERSION = 3',
      '16 PASSWORD len 1 = NUL',
      '20 DEVICE_NAME len 16 = C-string',
    ],
    decoded: msg(2, 1, { reason: 1, version: 3, password: '', deviceName: 'SEP001122334455' }),
    build: () => authResponse(1, { deviceName: 'SEP001122334455', password: '' }),
  },
  {
    title: 'AUTH_RESPONSE, password mode: PASSWORD "123456"',
    source: 'spec §5.2 (capfc), §6.1',
    hex: `
      55 02 00 00 00 03 00 25   # header: AUTH_RESPONSE, session 3, body 37
      01 00 01 01               # REASON = 1
      07 00 01 03               # VERSION = 3
      0b 00 07 31 32 33 34 35 36 00                              # PASSWORD = "123456\\0"
      0d 00 10 53 45 50 30 30 31 31 32 32 33 33 34 34 35 35 00   # DEVICE_NAME
    `,
    layout: [
      '0 header (command 2, session 3, length 37)',
      '8 REASON = 1',
      '12 VERSION = 3',
      '16 PASSWORD len 7',
      '26 DEVICE_NAME len 16',
    ],
    decoded: msg(2, 3, { reason: 1, version: 3, password: '123456', deviceName: 'SEP001122334455' }),
    build: () => authResponse(3, { deviceName: 'SEP001122334455', password: '123456' }),
  },
  {
    title: 'AUTH_RESPONSE, Jabber: VERSION=2, DEVICE_NAME, REASON (no PASSWORD), Jabber order',
    source: 'spec §8 (Jabber4Linux capture)',
    hex: `
      55 02 00 00 00 04 00 12   # header: AUTH_RESPONSE, session 4, body 18
      07 00 01 02               # VERSION = 2
      0d 00 07 43 53 46 31 32 33 00   # DEVICE_NAME = "CSF123\\0"
      01 00 01 01               # REASON = 1
    `,
    layout: ['0 header (command 2, session 4, length 18)', '8 VERSION = 2', '12 DEVICE_NAME len 7', '22 REASON = 1'],
    decoded: msg(2, 4, { version: 2, deviceName: 'CSF123', reason: 1 }),
    encodeOptions: { elementOrder: [7, 13, 1] },
    build: () => authResponse(4, { deviceName: 'CSF123', version: 2 }),
  },
  {
    title: 'AUTH_RESPONSE, certificate mode: CERTIFICATE, SIGNED_DATA, SUDI_DATA, SHA2_SIGNED_DATA (EC P-256)',
    source: 'spec §5.4, §5.5 (capfc layout; EC material made for this file)',
    hex: `
      55 02 00 00 00 0c 04 4a   # header: AUTH_RESPONSE, session 12, body 1098
      01 00 01 01               # REASON = 1
      04 01 7f                  # CERTIFICATE, outer length 383 = 5 + 378
      01 01 7c                  #   inner tag 1, inner length 380 = 2 + 378
      00 01                     #   type bytes (LSC)
      ${LSC_DER}
      06 00 47                  # SIGNED_DATA, 71 bytes (ECDSA-SHA1, DER)
      ${SIG_SHA1}
      07 00 01 03               # VERSION = 3
      0b 00 01 00               # PASSWORD = ""
      0d 00 10 53 45 50 30 30 31 31 32 32 33 33 34 34 35 35 00   # DEVICE_NAME
      10 02 10                  # SUDI_DATA, length 528
      00 01 7a                  #   block 0x00: SUDI certificate, 378 bytes
      ${LSC_DER}
      01 00 47                  #   block 0x01: SHA-1 signature, 71 bytes
      ${SUDI_SHA1}
      03 00 46                  #   block 0x03: SHA-512 signature, 70 bytes
      ${SUDI_SHA512}
      14 00 49                  # SHA2_SIGNED_DATA, length 73
      03 00 46                  #   hash id 3 (SHA-512), signature length 70
      ${SIG_SHA512}
    `,
    layout: [
      '0 header (command 2, session 12, length 1098)',
      '8 REASON = 1',
      '12 CERTIFICATE outer tag 4 len 383; 15 inner tag 1 len 380; 18 type bytes 00 01; 20 DER (378)',
      '398 SIGNED_DATA len 71',
      '472 VERSION = 3',
      '476 PASSWORD = ""',
      '480 DEVICE_NAME len 16',
      '499 SUDI_DATA len 528: 502 cert block, 883 SHA-1 block, 957 SHA-512 block',
      '1030 SHA2_SIGNED_DATA len 73: hash id 3, sig len 70',
    ],
    decoded: msg(2, 12, {
      reason: 1,
      certificate: { typeBytes: TYPE_00_01, der: b(LSC_DER) },
      signedData: b(SIG_SHA1),
      version: 3,
      password: '',
      deviceName: 'SEP001122334455',
      sudiData: { certDer: b(LSC_DER), sigSha1: b(SUDI_SHA1), sigSha512: b(SUDI_SHA512) },
      sha2SignedData: { hashId: 3, signature: b(SIG_SHA512) },
    }),
    build: () =>
      authResponse(12, {
        deviceName: 'SEP001122334455',
        password: '',
        certificate: { der: b(LSC_DER) },
        signedData: b(SIG_SHA1),
        sudiData: { certDer: b(LSC_DER), sigSha1: b(SUDI_SHA1), sigSha512: b(SUDI_SHA512) },
        sha2Signature: b(SIG_SHA512),
      }),
  },
  {
    title: 'END_SESSION REASON=9: unknown device',
    source: 'spec §6.1, §6.7',
    hex: `
      55 0f 00 00 00 05 00 04   # header: END_SESSION, session 5, body 4
      01 00 01 09               # REASON = 9 (UNKNOWN_DEVICE)
    `,
    layout: ['0 header (command 15, session 5, length 4)', '8 REASON = 9'],
    decoded: msg(15, 5, { reason: 9 }),
    build: () => endSession(5, 9),
  },
  {
    title: 'END_SESSION REASON=7: bad credentials / failure',
    source: 'spec §6.1, §6.7',
    hex: `
      55 0f 00 00 00 06 00 04   # header: END_SESSION, session 6, body 4
      01 00 01 07               # REASON = 7 (INVALID_ELEMENT)
    `,
    layout: ['0 header (command 15, session 6, length 4)', '8 REASON = 7'],
    decoded: msg(15, 6, { reason: 7 }),
    build: () => endSession(6, 7),
  },
  {
    title: 'END_SESSION REASON=0: no operation pending / after fetch',
    source: 'spec §6.4, §6.6',
    hex: `
      55 0f 00 00 00 07 00 04   # header: END_SESSION, session 7, body 4
      01 00 01 00               # REASON = 0 (NO_ACTION)
    `,
    layout: ['0 header (command 15, session 7, length 4)', '8 REASON = 0'],
    decoded: msg(15, 7, { reason: 0 }),
    build: () => endSession(7, 0),
  },
  {
    title: 'END_SESSION REASON=1: after install or delete',
    source: 'spec §6.2, §6.5',
    hex: `
      55 0f 00 00 00 07 00 04   # header: END_SESSION, session 7, body 4
      01 00 01 01               # REASON = 1 (UPDATE_CERTIFICATE / OK)
    `,
    layout: ['0 header (command 15, session 7, length 4)', '8 REASON = 1'],
    decoded: msg(15, 7, { reason: 1 }),
    build: () => endSession(7, 1),
  },
  // ---------------------------------------------------------------- §6.2 / §6.3 install
  {
    title: 'KEY_GENERATE_REQUEST RSA, capfd form: KEY_SIZE=2048 then KEY_TYPE=RSA',
    source: 'spec §6.2, §4 element order',
    hex: `
      55 03 00 00 00 07 00 09   # header: KEY_GENERATE_REQUEST, session 7, body 9
      0a 00 02 08 00            # KEY_SIZE = 2048
      11 00 01 00               # KEY_TYPE = 0 (RSA)
    `,
    layout: ['0 header (command 3, session 7, length 9)', '8 KEY_SIZE len 2 = 0x0800', '13 KEY_TYPE = 0'],
    decoded: msg(3, 7, { keySize: 2048, keyType: 0 }),
    build: () => keyGenerateRequestRsa(7, { keySizeBits: 2048, sendKeyType: true }),
  },
  {
    title: 'KEY_GENERATE_REQUEST RSA, CUCM-identical form: KEY_SIZE only',
    source: 'spec §8 (Jabber4Linux capture)',
    hex: `
      55 03 00 00 00 07 00 05   # header: KEY_GENERATE_REQUEST, session 7, body 5
      0a 00 02 08 00            # KEY_SIZE = 2048
    `,
    layout: ['0 header (command 3, session 7, length 5)', '8 KEY_SIZE = 2048'],
    decoded: msg(3, 7, { keySize: 2048 }),
    build: () => keyGenerateRequestRsa(7, { keySizeBits: 2048 }),
  },
  {
    title: 'KEY_GENERATE_REQUEST EC: KEY_TYPE=EC, CURVE=P-256',
    source: 'spec §6.3',
    hex: `
      55 03 00 00 00 07 00 08   # header: KEY_GENERATE_REQUEST, session 7, body 8
      11 00 01 01               # KEY_TYPE = 1 (EC)
      12 00 01 00               # CURVE = 0 (secp256r1)
    `,
    layout: ['0 header (command 3, session 7, length 8)', '8 KEY_TYPE = 1', '12 CURVE = 0'],
    decoded: msg(3, 7, { keyType: 1, curve: 0 }),
    build: () => keyGenerateRequestEc(7, { curve: 'P-256' }),
  },
  {
    title: 'REQUEST_IN_PROGRESS (empty body)',
    source: 'spec §6.2, §6.8',
    hex: `
      55 11 00 00 00 07 00 00   # header: REQUEST_IN_PROGRESS, session 7, body 0
    `,
    layout: ['0 header (command 17, session 7, length 0)'],
    decoded: msg(17, 7, {}),
    build: () => requestInProgress(7),
  },
  {
    title: 'KEY_GENERATE_RESPONSE RSA-2048: PUBLIC_KEY = SPKI (294 bytes)',
    source: 'spec §6.2, §8',
    hex: `
      55 04 00 00 00 07 01 29   # header: KEY_GENERATE_RESPONSE, session 7, body 297
      09 01 26                  # PUBLIC_KEY, 294 bytes of SubjectPublicKeyInfo
      ${RSA_SPKI}
    `,
    layout: ['0 header (command 4, session 7, length 297)', '8 PUBLIC_KEY len 294 = SPKI DER'],
    decoded: msg(4, 7, { publicKey: b(RSA_SPKI) }),
    build: () => keyGenerateResponse(7, { publicKey: b(RSA_SPKI) }),
  },
  {
    title: 'KEY_GENERATE_RESPONSE EC P-256: PUBLIC_KEY = SPKI (91 bytes)',
    source: 'spec §6.3',
    hex: `
      55 04 00 00 00 07 00 5e   # header: KEY_GENERATE_RESPONSE, session 7, body 94
      09 00 5b                  # PUBLIC_KEY, 91 bytes
      ${EC_SPKI}
    `,
    layout: ['0 header (command 4, session 7, length 94)', '8 PUBLIC_KEY len 91 = SPKI DER'],
    decoded: msg(4, 7, { publicKey: b(EC_SPKI) }),
    build: () => keyGenerateResponse(7, { publicKey: b(EC_SPKI) }),
  },
  {
    title: 'KEY_GENERATE_RESPONSE without PUBLIC_KEY: REASON=7 (phone failed)',
    source: 'spec §6.2 note (the phone may send a REASON instead; capfd then ends with 7)',
    hex: `
      55 04 00 00 00 07 00 04   # header: KEY_GENERATE_RESPONSE, session 7, body 4
      01 00 01 07               # REASON = 7
    `,
    layout: ['0 header (command 4, session 7, length 4)', '8 REASON = 7'],
    decoded: msg(4, 7, { reason: 7 }),
    build: () => keyGenerateResponse(7, { reason: 7 }),
  },
  {
    title: 'STORE_CERTIFICATE_REQUEST: CERTIFICATE_TYPE=LSC + nested CERTIFICATE',
    source: 'spec §6.2, §4.1, §8',
    hex: `
      55 09 00 00 00 07 01 86   # header: STORE_CERTIFICATE_REQUEST, session 7, body 390
      03 00 01 01               # CERTIFICATE_TYPE = 1 (LSC)
      04 01 7f                  # CERTIFICATE, outer length 383
      01 01 7c                  #   inner tag 1, inner length 380
      00 01                     #   type bytes
      ${LSC_DER}
    `,
    layout: [
      '0 header (command 9, session 7, length 390)',
      '8 CERTIFICATE_TYPE = 1',
      '12 CERTIFICATE outer len 383',
      '15 inner tag 1 len 380',
      '18 type bytes 00 01',
      '20 DER (378 bytes)',
    ],
    decoded: msg(9, 7, { certificateType: 1, certificate: { typeBytes: TYPE_00_01, der: b(LSC_DER) } }),
    build: () => storeCertificateRequest(7, { der: b(LSC_DER) }),
  },
  {
    title: 'STORE_CERTIFICATE_RESPONSE REASON=1 (stored)',
    source: 'spec §6.2',
    hex: `
      55 0a 00 00 00 07 00 04   # header: STORE_CERTIFICATE_RESPONSE, session 7, body 4
      01 00 01 01               # REASON = 1
    `,
    layout: ['0 header (command 10, session 7, length 4)', '8 REASON = 1'],
    decoded: msg(10, 7, { reason: 1 }),
    build: () => storeCertificateResponse(7, 1),
  },
  // ---------------------------------------------------------------- §6.4 fetch
  {
    title: 'FETCH_CERTIFICATE_REQUEST (empty body)',
    source: 'spec §6.4',
    hex: `
      55 0b 00 00 00 08 00 00   # header: FETCH_CERTIFICATE_REQUEST, session 8, body 0
    `,
    layout: ['0 header (command 11, session 8, length 0)'],
    decoded: msg(11, 8, {}),
    build: () => fetchCertificateRequest(8),
  },
  {
    title: 'FETCH_CERTIFICATE_RESPONSE REASON=1 + CERTIFICATE',
    source: 'spec §6.4, §4.1',
    hex: `
      55 0c 00 00 00 08 01 86   # header: FETCH_CERTIFICATE_RESPONSE, session 8, body 390
      01 00 01 01               # REASON = 1
      04 01 7f 01 01 7c 00 01   # CERTIFICATE outer 383, inner tag 1 len 380, type bytes 00 01
      ${LSC_DER}
    `,
    layout: [
      '0 header (command 12, session 8, length 390)',
      '8 REASON = 1',
      '12 CERTIFICATE outer len 383, inner len 380, 00 01, DER',
    ],
    decoded: msg(12, 8, { reason: 1, certificate: { typeBytes: TYPE_00_01, der: b(LSC_DER) } }),
    build: () => fetchCertificateResponse(8, { reason: 1, der: b(LSC_DER) }),
  },
  {
    title: 'FETCH_CERTIFICATE_RESPONSE REASON=7 (no LSC)',
    source: 'spec §6.4 (capfc)',
    hex: `
      55 0c 00 00 00 08 00 04   # header: FETCH_CERTIFICATE_RESPONSE, session 8, body 4
      01 00 01 07               # REASON = 7
    `,
    layout: ['0 header (command 12, session 8, length 4)', '8 REASON = 7'],
    decoded: msg(12, 8, { reason: 7 }),
    build: () => fetchCertificateResponse(8, { reason: 7 }),
  },
  // ---------------------------------------------------------------- §6.5 delete
  {
    title: 'DELETE_CERTIFICATE_REQUEST (empty body)',
    source: 'spec §6.5',
    hex: `
      55 0d 00 00 00 09 00 00   # header: DELETE_CERTIFICATE_REQUEST, session 9, body 0
    `,
    layout: ['0 header (command 13, session 9, length 0)'],
    decoded: msg(13, 9, {}),
    build: () => deleteCertificateRequest(9),
  },
  {
    title: 'DELETE_CERTIFICATE_RESPONSE REASON=1 (deleted)',
    source: 'spec §6.5',
    hex: `
      55 0e 00 00 00 09 00 04   # header: DELETE_CERTIFICATE_RESPONSE, session 9, body 4
      01 00 01 01               # REASON = 1
    `,
    layout: ['0 header (command 14, session 9, length 4)', '8 REASON = 1'],
    decoded: msg(14, 9, { reason: 1 }),
    build: () => deleteCertificateResponse(9, 1),
  },
  {
    title: 'DELETE_CERTIFICATE_RESPONSE REASON=7 (nothing to delete)',
    source: 'spec §6.5',
    hex: `
      55 0e 00 00 00 09 00 04   # header: DELETE_CERTIFICATE_RESPONSE, session 9, body 4
      01 00 01 07               # REASON = 7
    `,
    layout: ['0 header (command 14, session 9, length 4)', '8 REASON = 7'],
    decoded: msg(14, 9, { reason: 7 }),
    build: () => deleteCertificateResponse(9, 7),
  },
  {
    title: 'Session id with the top bit set (u32 BE, not signed)',
    source: 'spec §2 (any non-repeating u32)',
    hex: `
      55 0f fe dc ba 98 00 04   # header: END_SESSION, session 0xfedcba98, body 4
      01 00 01 01               # REASON = 1
    `,
    layout: ['0 header (command 15, session 4275878552, length 4)', '8 REASON = 1'],
    decoded: msg(15, 0xfedcba98, { reason: 1 }),
    build: () => endSession(0xfedcba98, 1),
  },
];

/** Used by tests that need the material directly (signature checks, text helpers). */
export const CAPF_VECTOR_MATERIAL = { deviceName: 'SEP001122334455', certModeSessionId: 12 } as const;
