// Owns reading the current and previous CAPF CA (certificate + key) for signing CRLs and OCSP responses;
// the previous one is read from the key store's "<name>.previous" files and cached until the CAPF
// identity changes.

import {
  parseCertificate,
  pemBundleToDers,
  privateKeyFromPem,
  type IdentityService,
  type StoredIdentity,
} from '../pki/index.ts';
import type { CaKeyMaterial, CaSource } from './ports.ts';

export function createCaSource(identities: IdentityService, loadPrevious: () => StoredIdentity | null): CaSource {
  let previous: CaKeyMaterial | null | undefined;
  identities.onChange((name) => {
    if (name === 'capf') previous = undefined;
  });
  return {
    current() {
      const id = identities.get('capf');
      return { certificate: id.certificate, chain: id.chain, privateKey: id.privateKey };
    },
    previous() {
      if (previous === undefined) {
        const p = loadPrevious();
        const ders = p ? pemBundleToDers(p.certPem) : [];
        previous =
          p && ders[0]
            ? {
                certificate: parseCertificate(ders[0]),
                chain: ders.slice(1).map((d) => parseCertificate(d)),
                privateKey: privateKeyFromPem(p.keyPem),
              }
            : null;
      }
      return previous;
    },
  };
}
