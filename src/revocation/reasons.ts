// Owns the revocation reasons: the strings stored with a revoked certificate and their RFC 5280 §5.3.1
// CRLReason codes (used in CRL entries and OCSP RevokedInfo). One table; everything else is derived.

export const REVOCATION_REASONS = {
  unspecified: { code: 0, text: 'Unspecified' },
  keyCompromise: { code: 1, text: 'Key compromise (the phone or its key was stolen)' },
  cACompromise: { code: 2, text: 'CA compromise' },
  affiliationChanged: { code: 3, text: 'Affiliation changed' },
  superseded: { code: 4, text: 'Superseded (a new LSC was installed)' },
  cessationOfOperation: { code: 5, text: 'Cessation of operation (LSC deleted or phone removed)' },
  certificateHold: { code: 6, text: 'Certificate hold' },
  // 7 is not used by RFC 5280.
  removeFromCRL: { code: 8, text: 'Remove from CRL' },
  privilegeWithdrawn: { code: 9, text: 'Privilege withdrawn' },
  aACompromise: { code: 10, text: 'AA compromise' },
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

/** Reasons an operator may choose when revoking by hand (certificateHold/removeFromCRL are not supported). */
export const OPERATOR_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const satisfies readonly RevocationReason[];

export function isRevocationReason(s: string): s is RevocationReason {
  return Object.hasOwn(REVOCATION_REASONS, s);
}

/**
 * The CRLReason code of a stored reason string. Stored strings may carry a note after the name
 * ("cessationOfOperation (phone removed)"); anything unknown maps to unspecified.
 */
export function reasonCode(stored: string | null | undefined): number {
  const name = (stored ?? '').trim().split(/[\s(]/)[0] ?? '';
  return isRevocationReason(name) ? REVOCATION_REASONS[name].code : 0;
}

export function reasonName(code: number): RevocationReason {
  const hit = (Object.keys(REVOCATION_REASONS) as RevocationReason[]).find((k) => REVOCATION_REASONS[k].code === code);
  return hit ?? 'unspecified';
}
