// Owns the doctor's findings: one table of every finding with the seed's cause and remedy and the
// docs/troubleshooting.md section an admin reads next. Rules (rules.ts) only pick ids and add evidence.

export type Severity = 'error' | 'warning' | 'info';

/**
 * docs/troubleshooting.md anchors (one section per case of the seed's "Troubleshoot" section, plus checks before it).
 */
export const DOCS_SECTIONS = {
  beforeYouStart: 'before-you-start-capf-certificate',
  noValidCapfServer: 'no-valid-capf-server',
  connectionFailed: 'lsc-connection-failed',
  lscFailed: 'lsc-failed',
  operationPending: 'lsc-operation-pending',
  bulk: 'bulk-install-authentication-mode-must-match-the-profile',
  repeatedFailures: 'repeated-failures-and-authentication-string-lockout',
} as const;

interface FindingDef {
  severity: Severity;
  title: string;
  /** What the seed says this means (its wording where it has one). */
  cause: string;
  remedy: string;
  docs: (typeof DOCS_SECTIONS)[keyof typeof DOCS_SECTIONS];
  /** What the phone shows / what the admin view shows when this happens. */
  phoneMessage?: string;
  adminStatus?: string;
}

export const FINDINGS = {
  'capf-cert-expired': {
    severity: 'error',
    title: 'CAPF certificate has expired',
    docs: DOCS_SECTIONS.beforeYouStart,
    cause:
      'The CAPF certificate signs every LSC; once expired, CAPF refuses ' +
      'installs (seed: verify that the CAPF certificate has not expired).',
    remedy:
      'Regenerate it: opencapf cert regenerate capf. Then reset the ' +
      'phones so they pick up the new ITL, and retry the operation.',
    adminStatus: 'Upgrade Failed: CAPF Certificate Expired',
  },
  'capf-cert-expiring': {
    severity: 'warning',
    title: 'CAPF certificate expires soon',
    docs: DOCS_SECTIONS.beforeYouStart,
    cause:
      'The seed: verify that the CAPF certificate is not about to expire in the near future before installing LSCs.',
    remedy:
      'Regenerate it now (opencapf cert regenerate capf) during a ' +
      'maintenance window; phones get the new ITL when they reset.',
  },
  'capf-not-running': {
    severity: 'error',
    title: 'CAPF service is not running or its port is not reachable',
    docs: DOCS_SECTIONS.connectionFailed,
    cause: 'The seed, "LSC: Connection Failed": the CAPF service is stopped or deactivated.',
    remedy:
      'Activate/start the CAPF service (capf.enabled, opencapf serve), check that the CAPF port ' +
      'is open, reset the phone to pick up the latest ITL, and retry the certificate operation.',
    phoneMessage: 'LSC: Connection failed',
    adminStatus: 'Operation Pending',
  },
  'capf-unreachable-from-phones': {
    severity: 'error',
    title: 'CAPF answers locally but not at the address phones use',
    docs: DOCS_SECTIONS.connectionFailed,
    cause:
      'The seed, "LSC: Connection Failed": the phone cannot reach ' +
      'the CAPF service over the network (port 3804 by default).',
    remedy:
      "Make the CAPF port reachable at the host name in the phones' configuration " +
      '(cluster.publicHost): bind address, firewall, routing. If it persists, capture packets ' +
      'on the phone side and on the server and check for two-way traffic on the CAPF port.',
    phoneMessage: 'LSC: Connection failed',
    adminStatus: 'Operation Pending',
  },
  'tvs-not-running': {
    severity: 'warning',
    title: 'TVS is not reachable',
    docs: DOCS_SECTIONS.operationPending,
    cause: 'The seed, "LSC: Operation Pending": the phone fails to authenticate new certificates due to a TVS failure.',
    remedy:
      'Start the TVS listener (tvs.enabled, tvs.port) and make it ' +
      "reachable at the host name in the phones' configuration.",
    adminStatus: 'Operation Pending',
  },
  'capf-host-unresolvable': {
    severity: 'error',
    title: "The CAPF host name in the phones' configuration does not resolve",
    docs: DOCS_SECTIONS.operationPending,
    cause:
      'The seed, "LSC: Operation Pending": the phone is not able to resolve the FQDN of the CAPF ' +
      'server (its Status Messages show "DNS unknown IPv4 host <name>", then "LSC: Connection failed").',
    remedy:
      'Add the DNS record (A) for the name, or set cluster.publicHost to a name ' +
      'phones can resolve or to an IP address; then reset the phone and retry.',
    phoneMessage: 'DNS unknown IPv4 host <name> / LSC: Connection failed',
    adminStatus: 'Operation Pending',
  },
  'itl-missing': {
    severity: 'error',
    title: 'A TFTP node serves no ITL file',
    docs: DOCS_SECTIONS.operationPending,
    cause:
      'Without an ITL the phone has no CAPF certificate to trust (seed: "ITL File not ' +
      'found. To generate an ITL file, activate or restart the Cisco TFTP service").',
    remedy:
      'Start the TFTP/HTTP provisioning listeners (tftp.enabled, ' +
      'http.enabled), check with opencapf itl show, then reset the phone.',
    phoneMessage: 'No valid CAPF server',
  },
  'itl-corrupt': {
    severity: 'error',
    title: 'The ITL served is corrupt or its signature does not verify',
    docs: DOCS_SECTIONS.operationPending,
    cause: 'The seed, "LSC: Operation Pending": issues with corrupt ITLs; devices lose their trusted status.',
    remedy:
      'Rebuild the ITL (restart the provisioning listeners), remove any pinned ' +
      'per-phone ITL, and if phones no longer accept it run opencapf itl reset localkey ' +
      '(CUCM: utils itl reset localkey) so they accept one signed by ITLRecovery.',
    phoneMessage: 'Trust List Update Failed',
    adminStatus: 'Operation Pending',
  },
  'itl-no-capf': {
    severity: 'error',
    title: 'The ITL has no CAPF entry',
    docs: DOCS_SECTIONS.noValidCapfServer,
    cause: 'The seed, "No Valid CAPF Server": there is no CAPF entry in the ITL file.',
    remedy:
      'Verify that the CAPF service is activated, restart the TFTP service (rebuild ' +
      'the ITL), verify that the ITL contains a CAPF certificate (opencapf itl show), ' +
      'reset the phone to pick up the latest ITL, and retry the certificate operation.',
    phoneMessage: 'No valid CAPF server',
    adminStatus: 'Operation Pending',
  },
  'itl-capf-mismatch': {
    severity: 'error',
    title: 'The ITL holds a CAPF certificate different from the one in service',
    docs: DOCS_SECTIONS.connectionFailed,
    cause:
      'The seed, "LSC: Connection Failed": a mismatch between the CAPF certificate ' +
      'in the ITL file and the current certificate the CAPF service is in use.',
    remedy:
      'Restart the CAPF service and the TFTP services (rebuild the ITL), remove stale pinned ITLs (opencapf ' +
      'itl unpin), reset the phone to pick up the latest ITL, and retry the certificate operation.',
    phoneMessage: 'LSC: Connection failed',
    adminStatus: 'Operation Pending',
  },
  'itl-per-mac-override': {
    severity: 'warning',
    title: 'A per-phone ITL (ITLSEP<MAC>.tlv) overrides the default ITL',
    docs: DOCS_SECTIONS.operationPending,
    cause:
      'The seed, "LSC: Operation Pending": the ITL on the phone is different than the one currently ' +
      'used on the configured TFTP servers. A per-phone ITL replaces ITLFile.tlv for that phone.',
    remedy: 'Remove the override unless you need it (opencapf itl unpin ITLSEP<MAC>.tlv), reset the phone, and retry.',
  },
  'itl-older-served': {
    severity: 'warning',
    title: 'The phone was last served an older ITL than the one served now',
    docs: DOCS_SECTIONS.operationPending,
    cause:
      'ITL File Status: the last ITL our TFTP/HTTP servers gave this phone is not the current one, so the phone ' +
      'may hold a stale ITL (the seed, "LSC: Operation Pending": the ITL on the phone differs from the one on ' +
      'the TFTP servers).',
    remedy:
      'Reset the phone so it fetches the current ITL (opencapf report itl-status --status older lists the others). ' +
      'If the signer changed since (cert regenerate, itl rotate), the phone accepts the new ITL only through ' +
      'ITLRecovery or TVS: opencapf itl reset localkey until it has it.',
  },
  'itl-foreign-suspected': {
    severity: 'error',
    title: 'The phone keeps fetching our ITL but never contacts our CAPF: it most likely trusts another cluster',
    docs: DOCS_SECTIONS.operationPending,
    cause:
      "A phone that already holds another cluster's ITL refuses our ITL (its signer is not a SAST it trusts and " +
      "the old cluster's TVS does not vouch for it), then refuses our signed configuration, so it never learns our " +
      'CAPF (tlv-files.md §9.4, §9.7; docs/migration.md).',
    remedy:
      "Either import our signer into the old cluster's TVS trust (opencapf migrate export-trust DIR; CUCM: " +
      'CallManager-trust and Phone-SAST-trust; OpenCAPF: opencapf tvs trust import) and keep the old TVS ' +
      "reachable, or turn on the old cluster's rollback ITL (CUCM: Prepare Cluster for Rollback to pre-8.0; " +
      'OpenCAPF: opencapf itl rollback on) and reset the phone there first, or erase the ITL on the phone ' +
      '(Settings > Security > Reset Security Settings). opencapf migrate check tests the first two.',
    phoneMessage: 'Trust List Update Failed',
    adminStatus: 'Operation Pending',
  },
  'phone-unknown': {
    severity: 'error',
    title: 'The phone is not in the database',
    docs: DOCS_SECTIONS.lscFailed,
    cause: 'CAPF ends the session of a device it does not know.',
    remedy: 'Add the phone (opencapf phone add SEP<MAC>) and schedule the operation.',
    phoneMessage: 'LSC: Failed',
  },
  'deadline-past': {
    severity: 'error',
    title: 'Operation Completes By is in the past',
    docs: DOCS_SECTIONS.lscFailed,
    cause: 'The seed, "LSC: Failed": the Operation Completes By time and date have expired or are in the past.',
    remedy:
      'Enter a date and time at least one hour into the future (opencapf capf schedule ' +
      'install SEP<MAC> --completes-by …), and retry the certificate operation.',
    phoneMessage: 'LSC: Failed',
    adminStatus: 'Upgrade Failed: User Initiated Request Late/Timedout',
  },
  'auth-mode-profile-mismatch': {
    severity: 'error',
    title: "The operation's Authentication Mode contradicts the phone security profile",
    docs: DOCS_SECTIONS.bulk,
    cause:
      'The seed, "Bulk LSC Install": the Authentication Mode must match the phone ' +
      "security profile's; on a mismatch (e.g. By Null String in bulk, By Existing " +
      'Certificate (precedence to LSC) in the profile) the operation cannot complete.',
    remedy:
      "Reschedule with the profile's Authentication Mode (--use-profile-mode), or " +
      'change the profile, save and apply the configuration (the phones restart).',
    adminStatus: 'Operation Pending',
  },
  'lsc-precedence-mic-only': {
    severity: 'error',
    title:
      '"By Existing Certificate (precedence to LSC)" on a phone that only has a MIC, and the MIC cannot be verified',
    docs: DOCS_SECTIONS.operationPending,
    cause:
      'The seed, "LSC: Operation Pending": the phone uses the MIC certificate but the CAPF ' +
      'Information has the Authentication Mode set to By Existing Certificate (Precedence to LSC).',
    remedy:
      'Use By Null String or By Authentication String for the first install, or configure ' +
      "import the phone's manufacturing CA (opencapf capf manufacturing import, or capf.manufacturingCaFile) so " +
      'its MIC is accepted.',
    phoneMessage: 'LSC: Connection failed',
    adminStatus: 'Operation Pending',
  },
  'lsc-precedence-mic-fallback': {
    severity: 'info',
    title: '"By Existing Certificate (precedence to LSC)" on a phone that only has a MIC',
    docs: DOCS_SECTIONS.operationPending,
    cause:
      'The phone has no LSC, so it will authenticate with its MIC; that ' +
      "works only because the MIC's manufacturing CA is configured.",
    remedy:
      "Nothing to do if the phone's MIC chains to a trusted manufacturing CA (opencapf capf manufacturing list); " +
      'otherwise use By Null String or By Authentication String.',
  },
  'auth-string-invalid': {
    severity: 'error',
    title: 'The phone sent a wrong authentication string ("Upgrade Failed: Invalid Authentication String")',
    docs: DOCS_SECTIONS.repeatedFailures,
    cause:
      'The string typed on the phone (Settings > Security > LSC, or the one a bulk job generated for it) differs ' +
      "from the Authentication String in the phone's CAPF Information, or the phone sent none; CAPF refused the " +
      'operation. After capf.authFailureLimit wrong strings the operation is locked.',
    remedy:
      'Give the user the string the CAPF Information holds (opencapf phone show SEP<MAC>; for a bulk job its ' +
      'unique-strings CSV: opencapf bulk export JOB), or set a new one (opencapf capf schedule install SEP<MAC> ' +
      '--auth-mode auth-string --auth-string generate), then have it typed on the phone again.',
    phoneMessage: 'LSC: Failed',
    adminStatus: 'Upgrade Failed: Invalid Authentication String',
  },
  'repeated-failures': {
    severity: 'warning',
    title: "Repeated failures in the phone's recent CAPF sessions",
    docs: DOCS_SECTIONS.repeatedFailures,
    cause: 'The phone keeps reaching CAPF and failing; the reasons below say why.',
    remedy:
      'Fix the reason that repeats (authentication string, key type, ' +
      'certificate authentication), then reschedule the operation.',
  },
  'auth-string-locked': {
    severity: 'error',
    title: 'Authentication string locked after too many failures',
    docs: DOCS_SECTIONS.repeatedFailures,
    cause:
      'The wrong authentication string was entered too many times (capf.authFailureLimit); CAPF refuses the operation.',
    remedy:
      'Give the user the right string (or Generate String), and reschedule the operation: ' +
      'opencapf capf schedule install SEP<MAC> --auth-mode auth-string --auth-string generate.',
    phoneMessage: 'LSC: Failed',
    adminStatus: 'Upgrade Failed: Authentication String Locked (too many failures)',
  },
  'not-contacted': {
    severity: 'info',
    title: 'The phone has not contacted CAPF since the operation was scheduled',
    docs: DOCS_SECTIONS.operationPending,
    cause:
      'The seed, "LSC: Operation Pending": the phone never completes the exchange; the causes are an ITL ' +
      "different from the TFTP servers', a corrupt ITL, a TVS failure, MIC vs precedence to LSC, or DNS.",
    remedy: 'Reset the phone (Apply Config) so it reads its configuration; check the other findings for the cause.',
    adminStatus: 'Operation Pending',
  },
  'tls-policy-weak': {
    severity: 'warning',
    title: 'A listener accepts weak TLS',
    docs: DOCS_SECTIONS.beforeYouStart,
    cause:
      'The TLS policy of the listener named below accepts TLS 1.0/1.1, OpenSSL security level 0 or broken ' +
      'suites; anyone on the network path can then attack those connections more easily.',
    remedy:
      'Keep tls.<listener>.profile legacy-7900 only on the listeners 7900-series phones use (CAPF, TVS) and ' +
      'only while such phones remain; use compatible (or modern where every client supports it) elsewhere, ' +
      'and drop overrides that weaken it (docs/operations.md, "TLS policy").',
  },
  'identity-extension-missing': {
    severity: 'error',
    title: 'An identity certificate lacks an extension phones require',
    docs: DOCS_SECTIONS.beforeYouStart,
    cause:
      'Phones (and CUCM 14SU2+ for the CAPF certificate) refuse a certificate without the extensions named ' +
      'below: the TLS handshake or the file signature fails on the phone. serve refuses to start with it.',
    remedy:
      'Have the certificate issued again with the extensions (opencapf cert csr NAME carries them, then ' +
      'opencapf cert import NAME FILE), or regenerate a self-signed one: opencapf cert regenerate NAME.',
    phoneMessage: 'LSC: Connection failed',
  },
} as const satisfies Record<string, FindingDef>;

export type FindingId = keyof typeof FINDINGS;

/** A finding about the phone asked about, or about the cluster (every phone). */
export type FindingScope = 'phone' | 'cluster';

export interface Finding {
  id: FindingId;
  scope: FindingScope;
  severity: Severity;
  title: string;
  cause: string;
  remedy: string;
  /** Facts that triggered it (addresses, fingerprints, dates, session reasons). */
  evidence: string[];
  /** Anchor in docs/troubleshooting.md. */
  docsAnchor: string;
  phoneMessage?: string;
  /** The Certificate Operation Status: the asked phone's own when there is one, else what this case shows. */
  adminStatus?: string;
}

export function finding(id: FindingId, evidence: string[], scope: FindingScope = 'cluster'): Finding {
  const d: FindingDef = FINDINGS[id];
  return {
    id,
    scope,
    severity: d.severity,
    title: d.title,
    cause: d.cause,
    remedy: d.remedy,
    evidence,
    docsAnchor: `docs/troubleshooting.md#${d.docs}`,
    ...(d.phoneMessage ? { phoneMessage: d.phoneMessage } : {}),
    ...(d.adminStatus ? { adminStatus: d.adminStatus } : {}),
  };
}
