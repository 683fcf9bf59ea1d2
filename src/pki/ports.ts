// Owns the interface pki/ needs to keep private keys and certificates (implemented in keys/).

export interface StoredIdentity {
  keyPem: string;
  /** Leaf first, then any chain certificates. */
  certPem: string;
}

export interface KeyStore {
  load(name: string): StoredIdentity | null;
  /** Writes atomically; the key file gets mode 0600. */
  save(name: string, identity: StoredIdentity): void;
  /** Moves the current identity to `<name>.previous` (kept for trust transitions) before a replacement. */
  archive(name: string): void;
  loadPrevious(name: string): StoredIdentity | null;
  /** Deletes a stored identity (the staged `<name>.next` of a rotation that was finished or aborted). */
  remove(name: string): void;
}
