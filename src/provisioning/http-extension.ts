// Owns the contract by which other features (revocation: CRL, OCSP) answer requests on the HTTP 6970
// provisioning listener before the file catalogue does.

export interface HttpExtensionRequest {
  /** Upper-case HTTP method as received (GET, HEAD, POST, ...). */
  method: string;
  /** Request target path without the query string, NOT percent-decoded (e.g. `/ocsp/MEIw...`). */
  path: string;
  /** Query string without the leading '?', '' when absent. */
  query?: string;
  /** Node's lower-cased header map. */
  headers: Record<string, string | string[] | undefined>;
  /** Request body (empty for GET/HEAD); bounded by the listener (http.maxBodyBytes). */
  body: Buffer;
}

export interface HttpExtensionResponse {
  status: number;
  /** Response headers; Content-Length is set by the listener from body. */
  headers: Record<string, string>;
  /** For HEAD the listener sends headers only. */
  body: Buffer;
}

/**
 * Returns null when the request is "not mine"; the listener then asks the next extension and finally
 * the provisioning file catalogue. A throw becomes a 500 (logged), never a crash.
 */
export type HttpExtension = (req: HttpExtensionRequest) => Promise<HttpExtensionResponse | null>;
