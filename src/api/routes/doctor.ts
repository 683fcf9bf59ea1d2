// Owns /api/v1/doctor: the doctor's findings for the web UI (GET reads, POST re-runs; same result shape).

import type { FastifyInstance } from 'fastify';
import type { DoctorReport } from '../../doctor/index.ts';
import { obj, str } from '../schemas.ts';

/** Runs the doctor for the cluster, or for one device (built in app/ over the running node). */
export type DoctorRunner = (device: string | null) => Promise<DoctorReport>;

const findingSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    scope: { type: 'string', enum: ['phone', 'cluster'], description: 'about the phone asked about, or every phone' },
    severity: { type: 'string', enum: ['error', 'warning', 'info'] },
    title: { type: 'string' },
    cause: { type: 'string' },
    remedy: { type: 'string' },
    evidence: { type: 'array', items: { type: 'string' } },
    docsAnchor: { type: 'string' },
    phoneMessage: { type: 'string' },
    adminStatus: { type: 'string' },
  },
};
const reportSchema = {
  type: 'object',
  properties: {
    checkedAt: { type: 'string' },
    device: { type: ['string', 'null'] },
    ok: { type: 'boolean' },
    findings: { type: 'array', items: findingSchema },
    facts: { type: 'object', additionalProperties: true },
  },
};

export function registerDoctorRoutes(app: FastifyInstance, run: DoctorRunner | undefined): void {
  if (!run) return;
  const handler = async (req: { query: { device?: string } }) => run(req.query.device ?? null);
  const schema = (summary: string) => ({
    summary,
    tags: ['doctor'],
    querystring: obj({ device: str(15) }),
    response: { 200: reportSchema },
  });
  app.get<{ Querystring: { device?: string } }>(
    '/doctor',
    {
      config: { access: 'read-only' },
      schema: schema(
        'Doctor findings for the cluster, or for one phone (?device=SEP…): cause, remedy, evidence, docs link',
      ),
    },
    handler,
  );
  app.post<{ Querystring: { device?: string } }>(
    '/doctor',
    { config: { access: 'read-only' }, schema: schema('Run the doctor now (same result as GET)') },
    handler,
  );
}
