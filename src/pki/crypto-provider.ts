// Owns the one-time wiring of @peculiar/x509 to Node's WebCrypto implementation.

import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe, which needs it

import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

let installed = false;
export function ensureCryptoProvider(): void {
  if (installed) return;
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  installed = true;
}
ensureCryptoProvider();

export { x509 };

/** Copies bytes into a fresh ArrayBuffer-backed view, the form @peculiar/x509's types require. */
export function bufferSource(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b);
}
