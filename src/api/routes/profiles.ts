// Owns /api/v1/profiles: Phone Security Profiles with CAPF defaults; a change reports the phones it touches.

import type { FastifyInstance } from 'fastify';
import { actorOf } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, enums, obj, profileSchema, str } from '../schemas.ts';
import type { ProfileInput, ProfilePatch } from '../../phones/profiles.ts';

const nameParam = obj({ name: str(128) }, ['name']);
const fields = {
  description: str(256),
  deviceSecurityMode: enums.deviceSecurityMode,
  authMode: enums.authMode,
  keyOrder: enums.keyOrder,
  rsaKeySize: enums.rsaKeySize,
  ecKeySize: enums.ecKeySize,
  encryptedConfig: { type: 'boolean' },
  acceptExpiredMic: {
    type: 'boolean',
    description:
      'accept an expired MIC for CAPF authentication of these phones (default false). RISK: a MIC past its ' +
      'not-after proves only that a Cisco phone once held the key; it must still chain to a trusted manufacturing ' +
      'CA and name the device (docs/capf.md, "Expired MICs")',
  },
};

export function registerProfileRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get(
    '/profiles',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'Phone security profiles with the number of phones using each',
        tags: ['profiles'],
        response: { 200: obj({ items: arr(profileSchema) }) },
      },
    },
    async () => ({ items: await d.profiles.list() }),
  );
  app.post<{ Body: ProfileInput }>(
    '/profiles',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Create a phone security profile',
        tags: ['profiles'],
        body: obj({ name: str(128, { minLength: 1 }), ...fields }, ['name']),
        response: { 201: profileSchema },
      },
    },
    async (req, reply) => reply.code(201).send({ ...(await d.profiles.create(req.body, actorOf(req))), phones: 0 }),
  );
  app.get<{ Params: { name: string } }>(
    '/profiles/:name',
    {
      config: { access: 'read-only' },
      schema: { summary: 'One profile', tags: ['profiles'], params: nameParam, response: { 200: profileSchema } },
    },
    async (req) => d.profiles.get(req.params.name),
  );
  app.patch<{ Params: { name: string }; Body: ProfilePatch & { applyToPhones?: boolean } }>(
    '/profiles/:name',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          'Change a profile; says how many phones use it, how many took its ' +
          'new CAPF defaults, and how many pending operations now contradict it',
        tags: ['profiles'],
        params: nameParam,
        body: obj({
          ...fields,
          applyToPhones: {
            type: 'boolean',
            description: 'copy the CAPF defaults onto phones without a pending operation (default true)',
          },
        }),
        response: {
          200: obj({
            profile: profileSchema,
            phonesUsingProfile: { type: 'integer' },
            phonesUpdated: { type: 'integer' },
            pendingConflicts: { type: 'integer' },
          }),
        },
      },
    },
    async (req) => {
      const { applyToPhones, ...patch } = req.body;
      return d.profiles.update(req.params.name, patch, actorOf(req), {
        ...(applyToPhones !== undefined ? { applyToPhones } : {}),
      });
    },
  );
  app.delete<{ Params: { name: string } }>(
    '/profiles/:name',
    {
      config: { access: 'admin' },
      schema: { summary: 'Delete an unused profile', tags: ['profiles'], params: nameParam },
    },
    async (req, reply) => {
      await d.profiles.remove(req.params.name, actorOf(req));
      return reply.code(204).send();
    },
  );
}
