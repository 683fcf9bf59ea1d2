// Owns /api/v1/trust/itl: each node's current ITL (and CTL in mixed mode) shown like CUCM's `show itl`,
// with its verification result and warnings; rebuild; reset localkey / back to normal signing; rollback mode
// (the empty ITL of tlv-files.md §9.6, CUCM "Prepare Cluster for Rollback to pre-8.0").

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import { showItl, openTrustList, itlWarnings, ctlWarnings } from '../../trust/index.ts';
import { actorOf, confirmPasswordProp } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, obj, str } from '../schemas.ts';

export type ItlSigningMode = 'normal' | 'localkey';

/** What the trust-list routes need from the node (built in app/ over the provisioning service). */
export interface TrustListDeps {
  lists(): {
    node: string;
    kind: 'ITL' | 'CTL';
    bytes: Buffer;
    builtAt: Date;
    signedBy: string;
    signerReason: string;
    rollback: boolean;
    transitional: string[];
  }[];
  signingMode(): ItlSigningMode;
  /** The rollback ITL is served. */
  rollback(): boolean;
  setRollback(on: boolean, actor: { name: string; source: string }): Promise<unknown>;
  setSigningMode(mode: ItlSigningMode, actor: { name: string; source: string }): Promise<void>;
  /** Re-reads identities and pins from disk and rebuilds; returns the identities that changed. */
  rebuild(actor: { name: string; source: string }): Promise<string[]>;
}

const itemSchema = obj({
  node: str(),
  kind: { type: 'string', enum: ['ITL', 'CTL'] },
  builtAt: str(),
  verified: { type: 'boolean' },
  verifyMessage: str(1024),
  showItl: str(1_000_000),
  warnings: arr(str(1024)),
  signedBy: str(),
  signerReason: str(),
  rollback: { type: 'boolean' },
  transitional: arr(str()),
  bytes: { type: 'integer' },
});
const listSchema = obj({
  signingMode: { type: 'string', enum: ['normal', 'localkey'] },
  rollback: { type: 'boolean', description: 'the rollback (empty) ITL is served: phones accept any next ITL' },
  items: arr(itemSchema),
});

export function registerTrustListRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'trustLists'>): void {
  const need = (): TrustListDeps => {
    if (!deps.trustLists) throw new AppError('ERR_NOT_FOUND', 'this node does not publish trust lists');
    return deps.trustLists;
  };
  const view = () => {
    const t = need();
    return {
      signingMode: t.signingMode(),
      rollback: t.rollback(),
      items: t.lists().map((l) => {
        let verified = true;
        let verifyMessage = '';
        try {
          openTrustList(l.bytes);
        } catch (e) {
          verified = false;
          verifyMessage = (e as Error).message;
        }
        const warnings = (l.kind === 'ITL' ? itlWarnings(l.bytes) : ctlWarnings(l.bytes)).map((w) => w.message);
        return {
          node: l.node,
          kind: l.kind,
          builtAt: l.builtAt.toISOString(),
          verified,
          verifyMessage,
          showItl: showItl(l.bytes, { kind: l.kind }),
          warnings,
          signedBy: l.signedBy,
          signerReason: l.signerReason,
          rollback: l.rollback,
          transitional: l.transitional,
          bytes: l.bytes.length,
        };
      }),
    };
  };
  app.get(
    '/trust/itl',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'The ITL (and CTL in mixed mode) this node serves, shown ' +
          'like CUCM `show itl`, with verification and warnings',
        tags: ['trust'],
        response: { 200: listSchema },
      },
    },
    async () => view(),
  );
  app.post(
    '/trust/itl/rebuild',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Re-read certificates and per-phone pins from disk and rebuild the trust lists',
        tags: ['trust'],
        response: { 200: listSchema },
      },
    },
    async (req) => {
      await need().rebuild(actorOf(req));
      return view();
    },
  );
  app.post<{ Body: { mode: ItlSigningMode } }>(
    '/trust/itl/signing',
    {
      config: { access: 'admin', confirm: true },
      schema: {
        summary:
          'reset localkey: sign the ITL with the ITLRecovery key (recovers ' +
          'phones whose ITL signer is lost); normal: back to the TFTP certificate. From a browser session ' +
          'confirmPassword is required (428 ERR_CONFIRMATION_REQUIRED, 403 ERR_CONFIRMATION_FAILED)',
        tags: ['trust'],
        body: obj({ mode: { type: 'string', enum: ['normal', 'localkey'] }, confirmPassword: confirmPasswordProp }, [
          'mode',
        ]),
        response: { 200: listSchema },
      },
    },
    async (req) => {
      await need().setSigningMode(req.body.mode, actorOf(req));
      return view();
    },
  );
  app.post<{ Body: { on: boolean } }>(
    '/trust/itl/rollback',
    {
      config: { access: 'admin', confirm: true },
      schema: {
        summary:
          'Rollback mode (CUCM "Prepare Cluster for Rollback to pre-8.0"): on serves an ITL still signed by our ' +
          'signer but with empty TVS and TFTP records, so phones accept the next cluster; off: the normal ITL',
        tags: ['trust'],
        body: obj({ on: { type: 'boolean' }, confirmPassword: confirmPasswordProp }, ['on']),
        response: { 200: listSchema },
      },
    },
    async (req) => {
      await need().setRollback(req.body.on, actorOf(req));
      return view();
    },
  );
}
