// Owns one emulated Cisco IP phone booting: trust lists, configuration, DNS, the CAPF exchange, and what
// the phone shows afterwards. A library over injected transports (file fetcher, resolver, CAPF/TVS clients).
//
// Boot order (phone-config.md §5): CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv (ITLFile.tlv when absent), then
// SEP<MAC>.cnf.xml(.sgn), then CAPF at the first <capfList> server. Trust rules are tlv-files.md §9
// (trust/trust-rules.ts); the CAPF certificate must be the ITL's CAPF record (seed "LSC: Connection Failed").

import { createHash, type KeyObject } from 'node:crypto';
import { runCapfClient, CapfClientError, type CapfClientOptions, type ClientAuthMode } from '../capf/index.ts';
import { capfReasonName } from '../capf/index.ts';
import {
  derToPem,
  generateKeyPair,
  parseCertificate,
  pemToDer,
  privateKeyFromPem,
  privateKeyPem,
  type KeyPair,
} from '../pki/index.ts';
import {
  decodeSgn,
  decryptConfig,
  restorePhoneTrustStore,
  TRUST_REFUSALS,
  trustRefusalOf,
  verifySgn,
  type InstallReason,
  type PhoneTrustStore,
  type TrustRefusal,
  type TvsAttempt,
  type VouchAnswer,
} from '../trust/index.ts';
import type { CertificateInfo } from '../pki/index.ts';
import { AppError, isAppError } from '../shared/errors.ts';
import { queryTftpSigner, vouchForSigner, type PhoneTvsContext } from './tvs-check.ts';
import { readPhoneConfig, type PhoneConfigView } from './config-file.ts';
import { dnsUnknownHost, fetchedConfig, refusedFile, STATUS_MESSAGES, type StatusMessageId } from './messages.ts';
import type { ManufacturingCa } from './manufacturing-ca.ts';
import type { Resolver } from './resolver.ts';
import { MAX_STATUS_MESSAGES, type PhoneState, type PhoneStateStore, type StatusMessage } from './state.ts';
import { ProvisioningUnreachableError, type FetchedFile, type FileFetcher } from './transport.ts';

/** capfAuthMode (phone-config.md §2) -> the client's mode. Absent or unknown: null string (UNCERTAIN). */
export const CAPF_AUTH_MODE_OF: Readonly<Record<number, ClientAuthMode>> = {
  1: 'auth-string',
  2: 'null-string',
  3: 'existing-lsc',
  4: 'existing-mic',
};

/** How a boot ended, for the CLI's exit code and the fleet's summary. */
export const BOOT_OUTCOMES = {
  installed: 'LSC installed',
  deleted: 'LSC deleted',
  fetched: 'certificate fetched by CAPF',
  'no-operation': 'no CAPF operation pending',
  'capf-skipped': 'CAPF not contacted',
  'no-config': 'no configuration file',
  'provisioning-unreachable': 'TFTP/HTTP server unreachable',
  'config-rejected': 'configuration signature not trusted',
  'no-capf-in-config': 'configuration names no CAPF server',
  'no-valid-capf-server': 'No valid CAPF server',
  'dns-failed': 'CAPF host name does not resolve',
  'connection-failed': 'LSC: Connection failed',
  'capf-certificate-mismatch': "CAPF certificate is not the ITL's CAPF certificate",
  failed: 'LSC: Failed',
} as const;
export type BootOutcome = keyof typeof BOOT_OUTCOMES;

export type BootPhase = 'tftp' | 'trust' | 'dns' | 'capf';

export interface PhoneDeps {
  fetchFile: FileFetcher;
  resolve: Resolver;
  stateStore: PhoneStateStore;
  /** Issues the MIC of a phone booting for the first time. */
  manufacturingCa: ManufacturingCa;
  now?: () => Date;
  /** Key of a new MIC (default: fresh RSA-2048, as real MICs). Fleets pass a pool. */
  micKey?: () => Promise<KeyPair>;
  /** Key pair the CAPF asks for (default: generate). Fleets pass a pool. */
  generateKey?: CapfClientOptions['generateKey'];
  /** The authentication string the user types (By Authentication String); null: the user cancels. */
  authString?: () => Promise<string | null>;
  capfTimeoutMs?: number;
  /**
   * How long this phone takes to generate the key CAPF asks for (ms, drawn per session): the phone holds its
   * session meanwhile, after REQUEST_IN_PROGRESS, as desk phones do for tens of seconds (default: the real
   * generation time only).
   */
  keygenMs?: () => number;
  /** Source address of the phone's CAPF connection (fleets give each phone its own loopback address). */
  capfLocalAddress?: string;
  tvsTimeoutMs?: number;
  /** Use this CAPF port instead of <phonePort> (labs whose CAPF listens on a port the config does not know). */
  capfPortOverride?: number;
}

export interface BootOptions {
  deviceName: string;
  model: string;
  /** Contact CAPF after provisioning (default true). */
  runCapf?: boolean;
  /** Skip TFTP/HTTP: keep the installed trust lists and last configuration ("Apply Config" without a reset). */
  skipProvisioning?: boolean;
}

export interface BootResult {
  deviceName: string;
  outcome: BootOutcome;
  /** Short cause for summaries (e.g. the CAPF END_SESSION reason, the socket error). */
  detail: string;
  /** Status Messages added by this boot. */
  messages: StatusMessage[];
  state: PhoneState;
  timingsMs: Partial<Record<BootPhase, number>>;
  config: PhoneConfigView | null;
  /** The CAPF address the phone used (host:port), when it got that far. */
  capfServer: string | null;
  /** What became of each trust list fetched this boot (CTL first, then ITL). */
  trustLists: TrustListUpdate[];
  /** Why the configuration file fetched this boot was not accepted (the phone runs on its last one). */
  configRejected: ConfigRejection | null;
}

/** One trust list the phone fetched and what it did with it (tlv-files.md §9). */
export interface TrustListUpdate {
  kind: 'ITL' | 'CTL';
  /** The name fetched: CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv or ITLFile.tlv. */
  file: string;
  outcome: 'installed' | 'unchanged' | 'refused';
  /** Which rule accepted it; null when refused. */
  reason: InstallReason | null;
  /** Why it was refused; null when accepted. */
  refusal: TrustRefusal | null;
  detail: string;
  /** The TVS servers asked about its signer, and their answers. */
  tvs: TvsAttempt[];
}

/** How each rule of tlv-files.md §9 reads in a boot result. */
export const INSTALL_REASONS: Readonly<Record<InstallReason, string>> = {
  'first-use': 'no trust list installed: accepted on first use (§9.1)',
  'trusted-signer': 'signed by a SAST of the installed trust list (§9.2)',
  'after-rollback': 'the installed ITL is empty (rollback): accepted as on first use (§9.6)',
  vouched: 'signer vouched for by TVS (§9.3)',
  unchanged: 'the same list as installed',
};

/** Why a configuration file was refused. */
export const CONFIG_REFUSALS = {
  ...TRUST_REFUSALS,
  unsigned: 'unsigned configuration refused',
  'cannot-decrypt': 'cannot decrypt',
} as const;
export type ConfigRefusal = keyof typeof CONFIG_REFUSALS;

export interface ConfigRejection {
  file: string;
  reason: ConfigRefusal;
  detail: string;
  tvs: TvsAttempt[];
}

/** What the phone log names beside a refusal: the signer, the TVS servers asked, or the error. */
function refusalAbout(reason: ConfigRefusal, signer: string, tvs: readonly TvsAttempt[], detail: string): string {
  if (reason === 'tvs-not-vouched' || reason === 'tvs-unreachable') return tvs.map((t) => t.server).join(', ');
  if (reason === 'signer-not-trusted') return signer;
  return reason === 'unsigned' ? '' : detail;
}

function held(p: { certPem: string; keyPem: string } | null): { der: Buffer; privateKey: KeyObject } | null {
  return p ? { der: pemToDer(p.certPem), privateKey: privateKeyFromPem(p.keyPem) } : null;
}

async function newState(deviceName: string, model: string, deps: PhoneDeps, now: Date): Promise<PhoneState> {
  const keys = deps.micKey ? await deps.micKey() : await generateKeyPair({ type: 'rsa', bits: 2048 });
  const mic = await deps.manufacturingCa.issueMic(deviceName, model, keys, now);
  return {
    version: 1,
    deviceName,
    model,
    mic,
    lsc: null,
    trust: { version: 1 },
    lastConfig: null,
    lscState: 'none',
    messages: [],
  };
}

export async function bootPhone(o: BootOptions, deps: PhoneDeps): Promise<BootResult> {
  const now = deps.now ?? (() => new Date());
  const state = deps.stateStore.load(o.deviceName) ?? (await newState(o.deviceName, o.model, deps, now()));
  const added: StatusMessage[] = [];
  const timingsMs: BootResult['timingsMs'] = {};
  const say = (text: string) => {
    const m = { at: now().toISOString(), text };
    added.push(m);
    state.messages.push(m);
  };
  const sayId = (id: StatusMessageId) => say(STATUS_MESSAGES[id].text);
  const timed = async <T>(phase: BootPhase, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timingsMs[phase] = (timingsMs[phase] ?? 0) + (performance.now() - t0);
    }
  };
  let config: PhoneConfigView | null = null;
  let capfServer: string | null = null;
  /** Why the new configuration was not accepted (the phone then runs on its last one). */
  let configRejected: ConfigRejection | null = null;
  const trustLists: TrustListUpdate[] = [];
  const finish = (outcome: BootOutcome, detail: string): BootResult => {
    if (state.messages.length > MAX_STATUS_MESSAGES)
      state.messages.splice(0, state.messages.length - MAX_STATUS_MESSAGES);
    state.trust = trust.toJSON();
    deps.stateStore.save(state);
    return {
      deviceName: o.deviceName,
      outcome,
      detail,
      messages: added,
      state,
      timingsMs,
      config,
      capfServer,
      trustLists,
      configRejected,
    };
  };

  const lsc = () => held(state.lsc);
  const mic = held(state.mic)!;
  /** The phone's identity for TLS and decryption: the LSC once it has one (it "prefers the LSC"). */
  const identity = () => state.lsc ?? state.mic;

  const tvsContext = (): PhoneTvsContext => ({
    members: state.lastConfig?.tvsMembers ?? [],
    resolve: deps.resolve,
    trust,
    identity,
    deviceName: `CP-${o.model}-${o.deviceName}`,
    timeoutMs: deps.tvsTimeoutMs ?? 5000,
  });
  const sayUnresolved = (attempts: readonly TvsAttempt[]) => {
    for (const a of attempts) if (a.result === 'unresolvable') say(dnsUnknownHost(a.server.replace(/:\d+$/, '')));
  };
  let lastVouch: VouchAnswer | null = null;
  const trust: PhoneTrustStore = restorePhoneTrustStore(state.trust, {
    // tlv-files.md §9.3: ask the TVS of the current configuration whether an unknown signer is a SAST.
    vouch: async (cert) => {
      lastVouch = await vouchForSigner(tvsContext(), cert);
      sayUnresolved(lastVouch.attempts);
      return lastVouch;
    },
  });

  const installList = async (kind: 'ITL' | 'CTL', file: string, data: Buffer): Promise<void> => {
    lastVouch = null;
    try {
      const r = await timed('trust', () => (kind === 'CTL' ? trust.installCtl(data) : trust.installItl(data)));
      if (r.reason !== 'unchanged') sayId('trustListUpdated');
      trustLists.push({
        kind,
        file,
        outcome: r.reason === 'unchanged' ? 'unchanged' : 'installed',
        reason: r.reason,
        refusal: null,
        detail: INSTALL_REASONS[r.reason],
        tvs: r.reason === 'vouched' ? [...((lastVouch as VouchAnswer | null)?.attempts ?? [])] : [],
      });
    } catch (e) {
      // The old list stays (tlv-files.md §9.4); the phone says so and why.
      const d = trustRefusalOf(e);
      if (!d) throw e;
      const detail = e instanceof Error ? e.message : String(e);
      sayId('trustListUpdateFailed');
      say(refusedFile(file, TRUST_REFUSALS[d.refusal], refusalAbout(d.refusal, d.signer, d.tvs, detail)));
      trustLists.push({ kind, file, outcome: 'refused', reason: null, refusal: d.refusal, detail, tvs: d.tvs });
    }
  };

  /** Verifies a .sgn with the held TFTP certificates, else with the one a TVS of the held ITL names (§9.3). */
  const verifyConfig = async (data: Buffer): Promise<{ xml: string; signer: CertificateInfo }> => {
    try {
      const v = timedSync(timingsMs, 'trust', () => verifySgn(data, trust.tftpSigners()));
      return { xml: v.payload.toString('utf8'), signer: v.signer };
    } catch (e) {
      if (!(isAppError(e) && e.code === 'ERR_TRUST_NO_SIGNER')) throw e;
      const header = decodeSgn(data).header;
      const q = await timed('trust', () => queryTftpSigner(tvsContext(), header));
      sayUnresolved(q.attempts);
      if (!q.certificate) {
        const refusal: TrustRefusal =
          q.attempts.length === 0
            ? 'signer-not-trusted'
            : q.attempts.some((a) => a.result === 'not-vouched')
              ? 'tvs-not-vouched'
              : 'tvs-unreachable';
        throw new AppError('ERR_TRUST_UNTRUSTED_SIGNER', `${e.message}; ${refusal.replace(/-/g, ' ')}`, {
          refusal,
          signer: header.signerName ?? '',
          tvs: q.attempts,
        });
      }
      const v = timedSync(timingsMs, 'trust', () => verifySgn(data, [q.certificate!]));
      return { xml: v.payload.toString('utf8'), signer: v.signer };
    }
  };
  const rejectConfig = (file: string, reason: ConfigRefusal, detail: string, tvs: TvsAttempt[] = []) => {
    // The phone keeps running on its last accepted configuration.
    sayId('configVerificationFailed');
    say(refusedFile(file, CONFIG_REFUSALS[reason], refusalAbout(reason, '', tvs, detail)));
    configRejected = { file, reason, detail, tvs };
  };

  if (!o.skipProvisioning) {
    const fetchFile = (name: string): Promise<FetchedFile | null> => timed('tftp', () => deps.fetchFile(name));
    try {
      const ctlName = `CTL${o.deviceName}.tlv`;
      const ctl = await fetchFile(ctlName);
      if (ctl) await installList('CTL', ctlName, ctl.data);
      const perMac = `ITL${o.deviceName}.tlv`;
      let itl = await fetchFile(perMac);
      let itlName = perMac;
      if (!itl) {
        itl = await fetchFile('ITLFile.tlv');
        itlName = 'ITLFile.tlv';
      }
      if (itl) await installList('ITL', itlName, itl.data);
      // A phone asks for the signed file only when its trust list holds a TFTP certificate (Cisco 7900 admin
      // guide, "Phone does not request signed configuration files"); so a phone holding no list, or an empty
      // (rollback) ITL, takes SEP<MAC>.cnf.xml unsigned (tlv-files.md §9.6).
      const tftpSigners = trust.tftpSigners();
      const signedOnly = tftpSigners.length > 0;
      const plainName = `${o.deviceName}.cnf.xml`;
      let file = signedOnly ? await fetchFile(`${plainName}.sgn`) : null;
      let fileName = `${plainName}.sgn`;
      if (!file) {
        file = await fetchFile(plainName);
        fileName = plainName;
      }
      if (!file) {
        sayId('configNotFound');
        return finish('no-config', `${plainName} not found`);
      }
      say(fetchedConfig(fileName, file.via));
      let xml: string | null = null;
      let signers: CertificateInfo[] = tftpSigners;
      if (fileName.endsWith('.sgn')) {
        try {
          const v = await verifyConfig(file.data);
          xml = v.xml;
          if (!signers.some((c) => c.sha1 === v.signer.sha1)) signers = [...signers, v.signer];
        } catch (e) {
          const d = trustRefusalOf(e);
          rejectConfig(fileName, d?.refusal ?? 'invalid-file', isAppError(e) ? e.message : String(e), d?.tvs);
        }
      } else if (signedOnly) {
        // Security By Default: with TFTP certificates in its trust list the phone takes signed files only.
        rejectConfig(fileName, 'unsigned', 'the trust list holds TFTP certificates; an unsigned file is refused');
      } else {
        xml = file.data.toString('utf8');
      }
      if (xml !== null) {
        config = readPhoneConfig(xml);
        if (config.encrConfig) {
          const enc = await fetchFile(`${plainName}.enc.sgn`);
          if (!enc) {
            sayId('configNotFound');
            return finish('no-config', `${plainName}.enc.sgn not found`);
          }
          const id = pickDecryptionKey(config.certHash, state);
          try {
            const full = readPhoneConfig(
              timedSync(timingsMs, 'trust', () =>
                decryptConfig(enc.data, {
                  privateKey: privateKeyFromPem(id.keyPem),
                  trustedSigners: signers,
                }).xml.toString('utf8'),
              ),
            );
            config = {
              ...full,
              capfAuthMode: full.capfAuthMode ?? config.capfAuthMode,
              capfServers: full.capfServers.length ? full.capfServers : config.capfServers,
            };
          } catch (e) {
            rejectConfig(`${plainName}.enc.sgn`, 'cannot-decrypt', (e as Error).message);
            config = null;
          }
        }
        if (config)
          state.lastConfig = {
            capfAuthMode: config.capfAuthMode,
            capfServers: config.capfServers,
            tvsMembers: config.tvsMembers,
          };
      }
      sayId('vpnNotConfigured');
    } catch (e) {
      if (e instanceof ProvisioningUnreachableError) return finish('provisioning-unreachable', e.message);
      throw e;
    }
  }

  if (o.runCapf === false) return finish('capf-skipped', 'CAPF not contacted');
  const last = state.lastConfig;
  const target = last?.capfServers[0];
  if (!last)
    return finish(
      'config-rejected',
      (configRejected as ConfigRejection | null)?.detail ?? 'no configuration accepted yet',
    );
  if (!target) return finish('no-capf-in-config', 'the configuration has no <capfList>');
  capfServer = `${target.host}:${deps.capfPortOverride ?? target.port}`;

  // Seed "No Valid CAPF Server": no CAPF entry in the ITL.
  if (trust.capfCertificates().length === 0) {
    sayId('noValidCapfServer');
    if (!state.lsc) state.lscState = 'pending';
    return finish(
      'no-valid-capf-server',
      trust.itl() ? 'the installed ITL has no CAPF record' : 'no trust list installed',
    );
  }
  const connectionFailed = (outcome: BootOutcome, detail: string) => {
    sayId('lscConnectionFailed');
    state.lscState = state.lsc ? 'installed' : 'pending';
    return finish(outcome, detail);
  };

  let address: string;
  try {
    address = await timed('dns', () => deps.resolve(target.host));
  } catch {
    // Seed lab: "DNS unknown IPv4 host PUB11.brianw2.lab", then "LSC: Connection failed".
    say(dnsUnknownHost(target.host));
    return connectionFailed('dns-failed', `${target.host} does not resolve`);
  }

  const authMode = CAPF_AUTH_MODE_OF[last.capfAuthMode ?? 2] ?? 'null-string';
  let authString: string | undefined;
  if (authMode === 'auth-string') authString = (await deps.authString?.()) ?? '';
  const heldLsc = lsc();
  try {
    const r = await timed('capf', () =>
      runCapfClient({
        host: address,
        port: deps.capfPortOverride ?? target.port,
        deviceName: o.deviceName,
        authMode,
        ...(authString !== undefined ? { authString } : {}),
        lsc: heldLsc,
        mic,
        ...(deps.generateKey || deps.keygenMs ? { generateKey: heldKeyGeneration(deps) } : {}),
        checkServerCertificate: (der) => trust.isTrusted(der, 'CAPF'),
        timeoutMs: deps.capfTimeoutMs ?? 30_000,
        ...(deps.capfLocalAddress ? { localAddress: deps.capfLocalAddress } : {}),
      }),
    );
    const reason = r.endReason === null ? 'no reason' : `END_SESSION ${capfReasonName(r.endReason)}`;
    switch (r.outcome) {
      case 'installed': {
        const der = r.lsc!.der;
        state.lsc = { certPem: derToPem(der), keyPem: privateKeyPem(r.lsc!.privateKey) };
        state.lscState = 'installed';
        sayId('lscInstalled');
        return finish('installed', `serial ${parseCertificate(der).serialHex}`);
      }
      case 'deleted':
        state.lsc = null;
        state.lscState = 'none';
        sayId('lscDeleted');
        return finish('deleted', reason);
      case 'fetched':
        return finish('fetched', reason);
      case 'no-operation':
        state.lscState = state.lsc ? 'installed' : 'none';
        return finish('no-operation', reason);
      case 'rejected':
        // A certificate-mode phone the CAPF does not accept leaves the operation pending (seed "LSC: Operation
        // Pending": MIC vs precedence to LSC) and the phone reports a connection failure (UNCERTAIN mapping).
        if (authMode === 'existing-lsc' || authMode === 'existing-mic')
          return connectionFailed('connection-failed', `certificate authentication refused (${reason})`);
        sayId('lscFailed');
        state.lscState = state.lsc ? 'installed' : 'pending';
        return finish('failed', reason);
      default:
        sayId('lscFailed');
        state.lscState = state.lsc ? 'installed' : 'pending';
        return finish('failed', `${r.outcome} (${reason})`);
    }
  } catch (e) {
    if (e instanceof CapfClientError) {
      if (e.kind === 'server-certificate') return connectionFailed('capf-certificate-mismatch', e.message);
      return connectionFailed('connection-failed', e.message);
    }
    throw e;
  }
}

/** The phone's key generation: the key (pool or fresh) no sooner than its generation time has passed. */
function heldKeyGeneration(deps: PhoneDeps): NonNullable<CapfClientOptions['generateKey']> {
  const make = deps.generateKey ?? generateKeyPair;
  const hold = deps.keygenMs;
  if (!hold) return make;
  return async (req) => {
    const [pair] = await Promise.all([make(req), new Promise((r) => setTimeout(r, Math.max(0, hold())))]);
    return pair;
  };
}

function timedSync<T>(timings: Partial<Record<BootPhase, number>>, phase: BootPhase, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    timings[phase] = (timings[phase] ?? 0) + (performance.now() - t0);
  }
}

/** `<certHash>` is the MD5 of the certificate the config key was wrapped for (tlv-files.md §11.2). */
function pickDecryptionKey(certHash: string | null, state: PhoneState): { certPem: string; keyPem: string } {
  const md5 = (pem: string) => createHash('md5').update(pemToDer(pem)).digest('hex');
  if (certHash && state.lsc && md5(state.lsc.certPem) === certHash.toLowerCase()) return state.lsc;
  if (certHash && md5(state.mic.certPem) === certHash.toLowerCase()) return state.mic;
  return state.lsc ?? state.mic;
}
