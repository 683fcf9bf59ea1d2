// Owns what the REST API needs from the rest of OpenCAPF: domain services only (built by app/), never stores.

import type { PhoneService } from '../phones/index.ts';
import type { AdminServices } from './admin-services.ts';
import type { TlsServerOptions } from '../shared/tls-policy.ts';

export interface ApiDeps extends AdminServices {
  phones: PhoneService;
  metrics: { registry: { metrics(): Promise<string>; contentType: string } };
  /** /metrics without authentication (config metrics.public). */
  metricsPublic: boolean;
  /** Set the Secure flag on the session cookie (the API is served over TLS). */
  secureCookies: boolean;
  sessionTtlSeconds: number;
  maxImportBytes: number;
  logger?: import('fastify').FastifyBaseLogger | false;
  /** Certificate, key and the API listener's TLS policy (shared/tls-policy.ts). */
  https?: { cert: string; key: string } & Partial<TlsServerOptions>;
  /** CRLs, trust bundle, verification and manual revocation (/api/v1/trust, /certificates/{serial}/revoke). */
  revocation?: import('../revocation/index.ts').RevocationService;
  /** Node status and certificates (/status, /identities); absent when the API runs without a node. */
  node?: import('./routes/ui-node.ts').NodeDeps;
  /** Serve the web UI from this directory (web/dist); false: do not serve it. Default: web/dist of this checkout. */
  webDistDir?: string | false;
  /** Trust lists of this node (/api/v1/trust/itl); absent when the API runs without provisioning. */
  trustLists?: import('./routes/trust-lists.ts').TrustListDeps;
  /** Certificates of other clusters our TVS vouches for (/api/v1/tvs/trust); absent without a node. */
  tvsTrust?: import('./routes/tvs-trust.ts').TvsTrustDeps;
  /** The manufacturing CAs MICs are checked against (absent when the API runs without a node). */
  manufacturingCas?: import('./routes/manufacturing-cas.ts').ManufacturingCaDeps;
  /** The certificate monitor (/api/v1/monitor); absent when the API runs without a node. */
  monitor?: import('../monitor/index.ts').MonitorService;
  /** The role names /api/v1/tvs/trust accepts, and the default (shown by the web UI's form). */
  tvsTrustRoles?: import('./routes/tvs-trust.ts').TvsTrustRoles;
  /** The doctor (GET/POST /api/v1/doctor); absent when the API runs without a node. */
  doctor?: import('./routes/doctor.ts').DoctorRunner;
  /** ITL File Status (/api/v1/reports/itl-status); absent when the API runs without a node. */
  itlStatus?: import('../reports/itl-status.ts').ItlStatusService;
  /** Staged rotation of the TFTP signer (/api/v1/trust/itl/rotation); absent without provisioning. */
  signerRotation?: import('../provisioning/signer-rotation.ts').SignerRotation;
  /** The migration kit (/api/v1/migration); absent when the API runs without a node. */
  migration?: import('../migration/index.ts').MigrationService;
  version?: string;
}
