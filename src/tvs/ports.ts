// Owns what the TVS transport needs from the rest of OpenCAPF: a trust authority and a logger.

/** Answer to "is this certificate trusted, and for which roles?" (tvs-protocol.md §5). */
export interface TvsVerdict {
  trusted: boolean;
  /** TvsRole codes (0..255), written one byte each in canonical order. Ignored when not trusted. */
  roles: number[];
  /** How long the phone may cache the answer (tvsctl: 1..2,592,000, default 86,400). Ignored when not trusted. */
  ttlSeconds: number;
}

/**
 * What a QUERY_REQUEST names (§6): the real 8861 sent subject, issuer and serial. Names are as the
 * phone sent them (CUCM `CN=…;OU=…` form, NUL removed); `serial` is the raw bytes. Match on
 * (serial, issuer) — see `issuerSerialKey` in names.ts — and fall back to subject if you wish.
 */
export interface TvsCertificateQuery {
  subject?: string;
  issuer?: string;
  serial?: Uint8Array;
}

export interface TvsQueryResult {
  certDer: Uint8Array;
  roles: number[];
  ttlSeconds: number;
}

/** The domain's trust decisions; the TVS server holds no policy of its own. */
export interface TvsAuthority {
  /** Looks the certificate up by SHA-256 of its DER, as tvsd does (§5). */
  verify(certDer: Uint8Array): Promise<TvsVerdict>;
  /** A trusted certificate matching the query, or null (answered with STATUS invalid). */
  query(query: TvsCertificateQuery): Promise<TvsQueryResult | null>;
}

/** The subset of pino the TVS code calls. Never pass keys or PEM material in `obj`. */
export interface TvsLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  debug?(obj: Record<string, unknown>, msg: string): void;
}
