// Owns the configuration schema: every option once, with type, default (units in the name), docs,
// environment variable and command-line flag. docs/configuration.md is generated from this table.

export type OptionType = 'string' | 'integer' | 'boolean' | 'port' | 'enum' | 'path' | 'url';

export interface OptionDef {
  type: OptionType;
  default: string | number | boolean | null;
  doc: string;
  /** Allowed values for enum options. */
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Long flag accepted by `opencapf serve` (and shown by --help). */
  flag?: string;
  secret?: boolean;
}

export const CONFIG_SCHEMA = {
  dataDir: {
    type: 'path',
    default: './data',
    doc: 'Directory holding the SQLite database, keys (mode 0600) and generated files.',
    flag: '--data-dir',
  },
  host: {
    type: 'string',
    default: '0.0.0.0',
    doc: 'Address every listener binds to. Use 127.0.0.1 for a lab on one machine.',
    flag: '--host',
  },
  'log.level': {
    type: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    doc: 'pino log level.',
    flag: '--log-level',
  },

  'store.driver': {
    type: 'enum',
    default: 'sqlite',
    values: ['sqlite', 'postgres'],
    doc: 'Database: embedded SQLite in dataDir (default) or PostgreSQL.',
    flag: '--store',
  },
  'store.postgresUrl': {
    type: 'url',
    default: null,
    doc: 'PostgreSQL connection string when store.driver is postgres, e.g. postgres://user@127.0.0.1/opencapf.',
    secret: true,
    flag: '--postgres-url',
  },
  'store.commitDelayMs': {
    type: 'integer',
    default: 8,
    min: 0,
    max: 100,
    doc:
      "Group commit: while other CAPF sessions are in flight, a session's write may wait this long to share one " +
      'commit with theirs (fewer, larger commits in a boot storm; a lone session never waits). 0 commits at once.',
  },
  'store.startupWaitSeconds': {
    type: 'integer',
    default: 0,
    min: 0,
    max: 86400,
    doc:
      'PostgreSQL: how long `serve` waits at start for the database to accept connections, ' +
      'retrying with backoff and logging each attempt. 0 waits forever. One-shot CLI commands ' +
      'wait at most 10 s (less when this is set lower), then fail with ERR_STORE_UNAVAILABLE.',
  },

  'cluster.nodeName': {
    type: 'string',
    default: 'opencapf',
    doc: 'This node\'s name (CN of its TFTP/TVS certificates, CUCM "server name").',
    flag: '--node-name',
  },
  'cluster.publicHost': {
    type: 'string',
    default: null,
    doc:
      'Host name or address phones use to reach this node (written into ' +
      'SEP<MAC>.cnf.xml). Defaults to the first non-loopback address, or 127.0.0.1.',
  },
  'cluster.mixedMode': {
    type: 'boolean',
    default: false,
    doc:
      'Mixed mode (CUCM "utils ctl set-cluster mixed-mode"): build and ' +
      'serve CTLFile.tlv / CTLSEP<MAC>.tlv. Off: only the ITL is served.',
  },

  'pki.organization': {
    type: 'string',
    default: 'OpenCAPF',
    doc: 'O of the CAPF certificate subject (copied into every LSC).',
  },
  'pki.organizationalUnit': {
    type: 'string',
    default: 'Voice',
    doc: 'OU of the CAPF certificate subject (copied into every LSC).',
  },
  'pki.locality': { type: 'string', default: null, doc: 'L of the CAPF certificate subject (copied into every LSC).' },
  'pki.state': { type: 'string', default: null, doc: 'ST of the CAPF certificate subject (copied into every LSC).' },
  'pki.country': {
    type: 'string',
    default: null,
    doc: 'C (two letters) of the CAPF certificate subject (copied into every LSC).',
  },
  'pki.capfKeyType': {
    type: 'enum',
    default: 'rsa2048',
    values: ['rsa2048', 'rsa3072', 'rsa4096', 'ec-p256', 'ec-p384'],
    doc: 'Key of the CAPF CA generated on first start. Phones expect RSA; EC is for labs.',
  },
  'pki.capfValidityDays': {
    type: 'integer',
    default: 1825,
    min: 30,
    max: 7300,
    doc: 'Validity of a generated CAPF certificate, in days (CUCM: 5 years).',
  },
  'pki.expiryWarningDays': {
    type: 'integer',
    default: 30,
    min: 1,
    max: 365,
    doc: 'Warn when the CAPF certificate expires within this many days.',
  },

  'capf.port': { type: 'port', default: 3804, doc: 'TCP port of the CAPF TLS listener.', flag: '--capf-port' },
  'capf.enabled': { type: 'boolean', default: true, doc: 'Start the CAPF listener.' },
  'capf.lscValidityDays': {
    type: 'integer',
    default: 1825,
    min: 1,
    max: 1825,
    doc: "Validity of issued LSCs, in days (CUCM: up to 5 years). Never beyond the CAPF certificate's own expiry.",
  },
  'capf.maxSessions': {
    type: 'integer',
    default: 0,
    min: 0,
    max: 1000000,
    doc:
      'CAPF sessions held at once past the TLS handshake (a phone generating its key holds one for up to ' +
      'minutes). 0: sized from memory, total RAM / 8 / 40 KiB per held session, from 1,024 to 100,000. ' +
      'Connections beyond it wait in the queue (capf.maxQueued).',
  },
  'capf.maxHandshakes': {
    type: 'integer',
    default: 0,
    min: 0,
    max: 100000,
    doc:
      'TLS handshakes in progress at once; later connections wait in the queue instead of being reset. ' +
      '0: 32 per CPU core. One client address gets at most half of them.',
  },
  'capf.maxQueued': {
    type: 'integer',
    default: 20000,
    min: 0,
    max: 1000000,
    doc:
      'Connections waiting (fairly, round-robin by client address) for a handshake or session slot. Beyond ' +
      'it a connection is closed without a byte, like capfd --limit, and the phone retries later.',
  },
  'capf.queueTimeoutMs': {
    type: 'integer',
    default: 30000,
    min: 100,
    max: 600000,
    doc: 'A connection that waited this long in the queue is closed without a byte (the phone retries).',
  },
  'capf.maxPerClient': {
    type: 'integer',
    default: 64,
    min: 1,
    max: 100000,
    doc:
      'Concurrent CAPF connections from one client address, so one host cannot take every ' +
      'capf.maxSessions slot. Phones behind one NAT or relay share an address: raise it (up to ' +
      'capf.maxSessions) for a site that enrolls more phones at once from behind one address.',
  },
  'capf.handshakeTimeoutMs': {
    type: 'integer',
    default: 10000,
    min: 100,
    max: 600000,
    doc: 'Time a client has to finish the TLS handshake, counted from when it leaves the queue.',
  },
  'capf.responseTimeoutMs': {
    type: 'integer',
    default: 30000,
    min: 100,
    max: 600000,
    doc: 'Time the phone has to answer each request (authentication, store, fetch, delete).',
  },
  'capf.keyGenerationTimeoutMs': {
    type: 'integer',
    default: 180000,
    min: 1000,
    max: 1800000,
    doc: 'Time the phone has to generate its key pair; restarted by every REQUEST_IN_PROGRESS.',
  },
  'capf.maxMessageBytes': {
    type: 'integer',
    default: 16384,
    min: 1024,
    max: 65535,
    doc: 'Largest CAPF message body accepted from a phone.',
  },
  'capf.authFailureLimit': {
    type: 'integer',
    default: 5,
    min: 1,
    max: 1000,
    doc: 'Wrong authentication strings (or failed certificate proofs) before the operation locks.',
  },
  'capf.wireStyle': {
    type: 'enum',
    default: 'capfd',
    values: ['capfd', 'cucm'],
    doc:
      'capfd: AUTH_REQUEST with VERSION+AUTH_TYPE and KEY_TYPE in RSA requests (usecallmanager ' +
      'hardware-phone form). cucm: the byte-identical CUCM forms (VERSION only, KEY_SIZE only).',
  },
  'capf.legacyTls': {
    type: 'boolean',
    default: false,
    doc:
      'Deprecated (kept for old config files): true means tls.capf.profile and tls.tvs.profile legacy-7900 ' +
      '(TLS 1.0, SECLEVEL=0); it is an error together with another profile than compatible on those listeners.',
  },
  'tls.capf.profile': {
    type: 'enum',
    default: 'compatible',
    values: ['modern', 'compatible', 'legacy-7900'],
    doc:
      'TLS policy of CAPF (3804): modern = TLS 1.3 + TLS 1.2 ECDHE/AEAD only; compatible = TLS 1.2-1.3 ' +
      "with Node's default suites (as before policies existed); legacy-7900 = TLS 1.0-1.3 at SECLEVEL=0.",
  },
  'tls.capf.minVersion': {
    type: 'enum',
    default: null,
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    doc: "Lowest TLS version CAPF (3804) accepts; unset: the profile's.",
  },
  'tls.capf.maxVersion': {
    type: 'enum',
    default: null,
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    doc: "Highest TLS version CAPF (3804) accepts; unset: the profile's.",
  },
  'tls.capf.ciphers': {
    type: 'string',
    default: null,
    doc: "OpenSSL cipher string (TLS 1.2 suites and TLS_* 1.3 suites) of CAPF (3804); unset: the profile's.",
  },
  'tls.capf.groups': {
    type: 'string',
    default: null,
    doc: "Key-exchange groups, colon-separated (e.g. X25519:P-256), of CAPF (3804); unset: the profile's.",
  },
  'tls.tvs.profile': {
    type: 'enum',
    default: 'compatible',
    values: ['modern', 'compatible', 'legacy-7900'],
    doc:
      'TLS policy of TVS (2445): modern = TLS 1.3 + TLS 1.2 ECDHE/AEAD only; compatible = TLS 1.2-1.3 ' +
      "with Node's default suites (as before policies existed); legacy-7900 = TLS 1.0-1.3 at SECLEVEL=0.",
  },
  'tls.tvs.minVersion': {
    type: 'enum',
    default: null,
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    doc: "Lowest TLS version TVS (2445) accepts; unset: the profile's.",
  },
  'tls.tvs.maxVersion': {
    type: 'enum',
    default: null,
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    doc: "Highest TLS version TVS (2445) accepts; unset: the profile's.",
  },
  'tls.tvs.ciphers': {
    type: 'string',
    default: null,
    doc: "OpenSSL cipher string (TLS 1.2 suites and TLS_* 1.3 suites) of TVS (2445); unset: the profile's.",
  },
  'tls.tvs.groups': {
    type: 'string',
    default: null,
    doc: "Key-exchange groups, colon-separated (e.g. X25519:P-256), of TVS (2445); unset: the profile's.",
  },
  'tls.https.profile': {
    type: 'enum',
    default: 'compatible',
    values: ['modern', 'compatible', 'legacy-7900'],
    doc:
      'TLS policy of HTTPS provisioning (6971): modern = TLS 1.3 + TLS 1.2 ECDHE/AEAD only; compatible = TLS 1.2-1.3 ' +
      "with Node's default suites (as before policies existed); legacy-7900 = TLS 1.0-1.3 at SECLEVEL=0.",
  },
  'tls.https.minVersion': {
    type: 'enum',
    default: null,
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    doc: "Lowest TLS version HTTPS provisioning (6971) accepts; unset: the profile's.",
  },
  'tls.https.maxVersion': {
    type: 'enum',
    default: null,
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    doc: "Highest TLS version HTTPS provisioning (6971) accepts; unset: the profile's.",
  },
  'tls.https.ciphers': {
    type: 'string',
    default: null,
    doc: "OpenSSL cipher string (TLS 1.2 and TLS_* 1.3 suites) of HTTPS 6971; unset: the profile's.",
  },
  'tls.https.groups': {
    type: 'string',
    default: null,
    doc: "Key-exchange groups, colon-separated (e.g. X25519:P-256) of HTTPS 6971; unset: the profile's.",
  },
  'tls.api.profile': {
    type: 'enum',
    default: 'compatible',
    values: ['modern', 'compatible', 'legacy-7900'],
    doc:
      'TLS policy of the REST API (if HTTPS): modern = TLS 1.3 + TLS 1.2 ECDHE/AEAD only; compatible = TLS 1.2-1.3 ' +
      "with Node's default suites (as before policies existed); legacy-7900 = TLS 1.0-1.3 at SECLEVEL=0.",
  },
  'tls.api.minVersion': {
    type: 'enum',
    default: null,
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    doc: "Lowest TLS version the REST API (if HTTPS) accepts; unset: the profile's.",
  },
  'tls.api.maxVersion': {
    type: 'enum',
    default: null,
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    doc: "Highest TLS version the REST API (if HTTPS) accepts; unset: the profile's.",
  },
  'tls.api.ciphers': {
    type: 'string',
    default: null,
    doc: "OpenSSL cipher string (TLS 1.2 and TLS_* 1.3 suites) of the REST API; unset: the profile's.",
  },
  'tls.api.groups': {
    type: 'string',
    default: null,
    doc: "Key-exchange groups, colon-separated (e.g. X25519:P-256), of the REST API (if HTTPS); unset: the profile's.",
  },
  'capf.manufacturingCaFile': {
    type: 'path',
    default: null,
    doc:
      'PEM bundle of manufacturing CAs (Cisco Manufacturing CA, CAP-RTP-00x …) that MICs ' +
      'may chain to for "By Existing Certificate", read once at start and never written. The CAs trusted are this ' +
      'bundle plus those managed with `opencapf capf manufacturing import` (docs/capf.md); with neither, no MIC ' +
      'authenticates.',
  },
  'capf.crlUrl': { type: 'url', default: null, doc: 'When set, issued LSCs carry this crlDistributionPoints URL.' },
  'capf.ocspUrl': { type: 'url', default: null, doc: 'When set, issued LSCs carry this OCSP authorityInfoAccess URL.' },
  'capf.drainTimeoutMs': {
    type: 'integer',
    default: 30000,
    min: 0,
    max: 600000,
    doc:
      'On SIGTERM every listener stops accepting at once; then in-flight work on all of them ' +
      '(CAPF sessions, TVS answers, TFTP transfers, HTTP/HTTPS and API requests) may finish ' +
      'for this long, in parallel, before what is left is closed and the process exits.',
  },
  'tftp.enabled': { type: 'boolean', default: true, doc: 'Start the TFTP provisioning listener (UDP).' },
  'tftp.port': {
    type: 'port',
    default: 69,
    doc:
      'UDP port of the TFTP listener (69 needs privilege: ' +
      'CAP_NET_BIND_SERVICE, or use a port above 1023 and redirect).',
    flag: '--tftp-port',
  },
  'tftp.maxTransfers': {
    type: 'integer',
    default: 512,
    min: 1,
    max: 65535,
    doc: 'Concurrent TFTP transfers across all phones; more are answered "Server busy" (phones retry).',
  },
  'tftp.maxPerClient': {
    type: 'integer',
    default: 16,
    min: 1,
    max: 1024,
    doc: 'Concurrent TFTP transfers per client address.',
  },
  'http.enabled': {
    type: 'boolean',
    default: true,
    doc: 'Start the HTTP provisioning listener (phones try it before TFTP).',
  },
  'http.port': { type: 'port', default: 6970, doc: 'TCP port of HTTP provisioning (CUCM: 6970).', flag: '--http-port' },
  'http.maxBodyBytes': {
    type: 'integer',
    default: 65536,
    min: 0,
    max: 16777216,
    doc:
      'Largest request body accepted on the HTTP/HTTPS provisioning ' +
      'ports (e.g. OCSP POST); bigger requests get 413.',
  },
  'https.enabled': {
    type: 'boolean',
    default: true,
    doc:
      'Start the HTTPS provisioning listener with the tftp identity (phones ' +
      'with an ITL of signer version 1.1 fetch SEP<MAC>.cnf.xml here).',
  },
  'https.port': {
    type: 'port',
    default: 6971,
    doc: 'TCP port of HTTPS provisioning (CUCM: 6971).',
    flag: '--https-port',
  },
  'tvs.enabled': {
    type: 'boolean',
    default: true,
    doc: 'Start the Trust Verification Service listener (TLS) and list it in SEP<MAC>.cnf.xml.',
  },
  'tvs.port': { type: 'port', default: 2445, doc: 'TCP port of TVS (CUCM: 2445).', flag: '--tvs-port' },
  'tvs.ttlSeconds': {
    type: 'integer',
    default: 86400,
    min: 1,
    max: 2592000,
    doc: 'How long a phone may cache a TVS answer, in seconds.',
  },
  'tvs.maxConnections': {
    type: 'integer',
    default: 256,
    min: 1,
    max: 100000,
    doc: 'Concurrent TVS connections (including TLS handshakes).',
  },
  'tvs.maxPerClient': {
    type: 'integer',
    default: 64,
    min: 1,
    max: 100000,
    doc:
      'Concurrent TVS connections from one client address (phones behind one NAT share ' +
      'one: raise it, up to tvs.maxConnections, for a large site behind one address).',
  },
  'provisioning.staticDir': {
    type: 'path',
    default: null,
    doc:
      'Directory of static files served over TFTP/HTTP below the generated ones ' +
      '(firmware, ring tones, dial plans). Nothing outside it is reachable.',
  },
  'provisioning.callManagers': {
    type: 'string',
    default: null,
    doc:
      'Comma-separated SIP servers written as callManagerGroup members of SEP<MAC>.cnf.xml (host or ' +
      'host:sipPort:securedSipPort, in priority order). Default: cluster.publicHost with 5060/5061.',
  },
  'provisioning.loadInformation': {
    type: 'string',
    default: null,
    doc: 'Firmware load name written as <loadInformation> in SEP<MAC>.cnf.xml (empty: the phone keeps its firmware).',
  },
  'itl.transitionHours': {
    type: 'integer',
    default: 72,
    min: 0,
    max: 8760,
    doc:
      'After a CAPF or TVS certificate change the ITL lists the old certificate beside the new one, ' +
      'and TVS vouches for it, for this many hours; after a TFTP certificate change the ITL is ' +
      'signed with the ITLRecovery key for as long, so phones holding the old ITL accept the new one.',
  },
  'api.enabled': {
    type: 'boolean',
    default: true,
    doc: 'Start the administration REST API (/api/v1, /api/docs, /metrics).',
  },
  'api.host': {
    type: 'string',
    default: '127.0.0.1',
    doc:
      'Address the REST API binds to (loopback by default: put ' +
      'it behind a reverse proxy or set api.tls on to expose it).',
  },
  'api.port': { type: 'port', default: 8443, doc: 'TCP port of the REST API.', flag: '--api-port' },
  'api.tls': {
    type: 'enum',
    default: 'auto',
    values: ['auto', 'on', 'off'],
    doc:
      "HTTPS for the REST API with this node's tftp identity " +
      'certificate. auto: HTTPS unless api.host is a loopback address.',
  },
  'api.maxConnections': {
    type: 'integer',
    default: 128,
    min: 1,
    max: 100000,
    doc: 'Concurrent connections to the REST API; more are closed at accept.',
  },
  'api.maxPerClient': {
    type: 'integer',
    default: 32,
    min: 1,
    max: 100000,
    doc:
      'Concurrent REST API connections from one client address (a browser opens about ' +
      '6; every user behind one reverse proxy shares its address: raise it there).',
  },
  'api.headersTimeoutMs': {
    type: 'integer',
    default: 10000,
    min: 100,
    max: 600000,
    doc: 'Time a client has to send the request line and headers.',
  },
  'api.requestTimeoutMs': {
    type: 'integer',
    default: 120000,
    min: 1000,
    max: 3600000,
    doc:
      'Time a client has to send a whole request, body included (raise ' +
      'it for CSV imports near api.maxImportBytes over a slow link).',
  },
  'api.bodyTimeoutMs': {
    type: 'integer',
    default: 15000,
    min: 100,
    max: 600000,
    doc:
      'Longest pause allowed while a request body is being read; ' +
      'a client that stops sending its body is disconnected.',
  },
  'api.keepAliveTimeoutMs': {
    type: 'integer',
    default: 5000,
    min: 100,
    max: 600000,
    doc: 'An idle keep-alive connection is closed after this long.',
  },
  'api.sessionTtlMinutes': {
    type: 'integer',
    default: 720,
    min: 5,
    max: 10080,
    doc: 'Lifetime of a browser login session, in minutes.',
  },
  'api.loginMaxFailures': {
    type: 'integer',
    default: 5,
    min: 1,
    max: 1000,
    doc:
      'Failed logins per user name and per client address within ' +
      '15 minutes before logins are refused for 15 minutes.',
  },
  'api.maxImportBytes': {
    type: 'integer',
    default: 268435456,
    min: 1024,
    max: 4294967296,
    doc: 'Largest CSV body accepted by POST /api/v1/phones/import, in bytes.',
  },
  'metrics.public': {
    type: 'boolean',
    default: false,
    doc:
      'Serve /metrics without authentication. Otherwise it needs a ' +
      'user or an API token (a token with the metrics scope suffices).',
  },
  'monitor.enabled': {
    type: 'boolean',
    default: true,
    doc:
      'Certificate monitor: serve checks every certificate the cluster owns or issued against the monitor rules ' +
      '(opencapf monitor rule …) and sends digests over the notification channels (opencapf monitor channel …). ' +
      'Nothing is sent until a channel exists.',
  },
  'monitor.checkIntervalMinutes': {
    type: 'integer',
    default: 15,
    min: 1,
    max: 1440,
    doc:
      'How often serve runs the certificate monitor. A rule sends at most once per UTC day (once per hour while a ' +
      'cluster certificate is in its last day); a run in between only sends what failed or was not sent yet.',
  },
  'monitor.listPerWindow': {
    type: 'integer',
    default: 50,
    min: 1,
    max: 10000,
    doc: 'At most this many certificates (phones) listed per expiry window of a digest; the rest are counted.',
  },
  'monitor.deliveryAttempts': {
    type: 'integer',
    default: 5,
    min: 1,
    max: 20,
    doc: 'Attempts per notification and run before it is logged as failed (the next run tries again).',
  },
  'monitor.retryBackoffMs': {
    type: 'integer',
    default: 2000,
    min: 1,
    max: 600000,
    doc: 'Wait before the second delivery attempt, in ms; doubled before each further one.',
  },
  'monitor.retryBackoffMaxMs': {
    type: 'integer',
    default: 300000,
    min: 1,
    max: 3600000,
    doc: 'Longest wait between two delivery attempts, in ms.',
  },
  'monitor.sendTimeoutMs': {
    type: 'integer',
    default: 30000,
    min: 100,
    max: 600000,
    doc: 'Longest one delivery attempt may take (SMTP connect, greeting and each reply; a webhook request), in ms.',
  },
  'renewal.enabled': {
    type: 'boolean',
    default: false,
    doc:
      'Renewal policy: schedule Install/Upgrade automatically for LSCs ' +
      'that expire within renewal.windowDays (runs as a bulk job).',
  },
  'renewal.windowDays': {
    type: 'integer',
    default: 30,
    min: 1,
    max: 1825,
    doc: 'Renew LSCs that expire within this many days.',
  },
  'renewal.authMode': {
    type: 'enum',
    default: 'existing-lsc',
    values: ['existing-lsc', 'existing-mic', 'null-string', 'auth-string'],
    doc: "Authentication Mode of renewal operations (a phone whose profile says otherwise gets its profile's mode).",
  },
  'renewal.deadlineHours': {
    type: 'integer',
    default: 168,
    min: 1,
    max: 8760,
    doc: 'Operation Completes By of a renewal operation, in hours after it is scheduled.',
  },
  'renewal.checkIntervalMinutes': {
    type: 'integer',
    default: 60,
    min: 1,
    max: 10080,
    doc: 'How often serve checks for LSCs due for renewal.',
  },
  'revocation.crlValidityHours': {
    type: 'integer',
    default: 24,
    min: 1,
    max: 8760,
    doc:
      'nextUpdate of published CRLs, in hours after thisUpdate. Relying parties (FreeRADIUS, ' +
      'ISE, ASA) reject a CRL past nextUpdate, so fetch it more often than this.',
  },
  'revocation.crlRefreshMinutes': {
    type: 'integer',
    default: 60,
    min: 1,
    max: 10080,
    doc:
      'A CRL is re-signed when it is older than this, even if nothing was ' +
      'revoked (it is also re-signed as soon as a certificate is revoked).',
  },
  'revocation.unacknowledgedGraceHours': {
    type: 'integer',
    default: 24,
    min: 1,
    max: 8760,
    doc:
      'An LSC sent to a phone that never acknowledged it (connection or server lost after ' +
      'STORE_CERTIFICATE_REQUEST) is revoked this many hours after it was issued, unless ' +
      'a newer LSC of the phone was confirmed first (then it is revoked at once as ' +
      'superseded). Checked every revocation.crlRefreshMinutes by each node running CAPF.',
  },
  'revocation.ocspValidityMinutes': {
    type: 'integer',
    default: 60,
    min: 1,
    max: 10080,
    doc: 'nextUpdate of OCSP answers, in minutes after thisUpdate (answers are computed live from the database).',
  },
} as const satisfies Record<string, OptionDef>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

type ValueOf<D extends OptionDef> = D['type'] extends 'integer' | 'port'
  ? number
  : D['type'] extends 'boolean'
    ? boolean
    : D['values'] extends readonly string[]
      ? D['values'][number]
      : string;

export type Config = {
  readonly [K in ConfigKey]: (typeof CONFIG_SCHEMA)[K]['default'] extends null
    ? ValueOf<(typeof CONFIG_SCHEMA)[K]> | null
    : ValueOf<(typeof CONFIG_SCHEMA)[K]>;
};

/** OPENCAPF_CAPF_PORT for capf.port, OPENCAPF_STORE_POSTGRES_URL for store.postgresUrl. */
export function envNameOf(key: string): string {
  return `OPENCAPF_${key
    .replace(/\./g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()}`;
}
