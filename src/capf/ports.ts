// Owns the narrow port a CAPF session talks to (protocol split from authority, like step-ca's scep/ vs
// authority/): the session speaks bytes and proves possession; the authority decides and records the
// session record the protocol produces (CapfSessionRecord, owned here; phones/ and store/ use it).

export type KeyRequest = { type: 'rsa'; bits: number } | { type: 'ec'; curve: 'P-256' | 'P-384' | 'P-521' };

export interface PresentedCertificate {
  der: Buffer;
  /** True when SIGNED_DATA and SHA2_SIGNED_DATA both verified under this certificate's key. */
  possessionProven: boolean;
  /** SUDI certificate when SUDI_DATA was sent; verified says its signatures checked out. */
  sudi?: { der: Buffer; verified: boolean };
}

export interface AuthenticationRequest {
  sessionId: number;
  peer: string;
  deviceName: string;
  protocolVersion: number | null;
  /** PASSWORD element (null when absent; '' for an empty string). Never log it. */
  password: string | null;
  certificate: PresentedCertificate | null;
}

/** What a CAPF session produces and the authority stores (the protocol owns its record; phones/ and store/ use it). */
export interface SessionLogEntry {
  at: string;
  /** 'S>P' server to phone, 'P>S' phone to server, '--' an event. */
  dir: 'S>P' | 'P>S' | '--';
  text: string;
}

export interface CapfSessionRecord {
  sessionId: number;
  deviceName: string | null;
  peer: string;
  startedAt: string;
  endedAt: string;
  operation: string | null;
  authMode: string | null;
  outcome: 'success' | 'failure' | 'none' | 'rejected';
  reason: string | null;
  status: string | null;
  protocolVersion: number | null;
  log: SessionLogEntry[];
}

/** END_SESSION reasons the authority may choose (capf-protocol.md §7). */
export type EndReason = 0 | 1 | 7 | 9;

export type Decision = (
  | { action: 'end'; reason: EndReason; note: string }
  | { action: 'install'; keyRequests: KeyRequest[] }
  | { action: 'delete' }
  | { action: 'fetch' }
) & {
  /** The Authentication Mode the operation runs under (recorded with the session); absent when none was pending. */
  authMode?: string;
};

export type Completion =
  | { step: 'stored'; serialHex: string }
  | { step: 'store-failed'; serialHex: string; phoneReason: number | null }
  | { step: 'deleted' }
  | { step: 'delete-failed'; phoneReason: number | null }
  | { step: 'fetched'; certificateDer: Buffer }
  | { step: 'fetch-failed'; phoneReason: number | null }
  | { step: 'key-failed'; note: string }
  | { step: 'timeout'; phase: string }
  | { step: 'connection-lost'; phase: string }
  | { step: 'protocol-error'; note: string };

export interface CapfAuthority {
  authenticate(req: AuthenticationRequest): Promise<Decision>;
  /** Checks the key against what was scheduled, signs, and records the LSC BEFORE it is sent. */
  issue(ctx: {
    sessionId: number;
    peer: string;
    deviceName: string;
    publicKeySpki: Buffer;
  }): Promise<{ ok: true; certDer: Buffer; serialHex: string } | { ok: false; note: string }>;
  /**
   * Ends the session: applies the operation's outcome to the phone's status (when an operation ran)
   * and stores the session record (time, peer, device, outcome, reason, log), in one transaction.
   */
  finish(session: CapfSessionRecord, completion: Completion | null): Promise<void>;
  /**
   * Forgets a session that ends without a record: it was refused (connection closed without END_SESSION)
   * because the store could not be used. Nothing is written; the phone's operation stays as it was.
   */
  release?(sessionId: number): void;
}
