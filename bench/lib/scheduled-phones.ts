// Shared by the CAPF benches: N phones (SEP0B0000000000 upward), each scheduled for Install/Upgrade,
// By Null String, RSA 2048 — what a boot storm of new phones looks like to the server.

import type { AppServices } from '../../src/app/context.ts';

export async function addScheduledPhones(ctx: AppServices, count: number): Promise<string[]> {
  const names = Array.from(
    { length: count },
    (_, i) => `SEP${(0xb0000000000 + i).toString(16).toUpperCase().padStart(12, '0')}`,
  );
  const actor = { name: 'bench', source: 'bench' };
  for (let i = 0; i < names.length; i += 1000) {
    const batch = names.slice(i, i + 1000);
    await ctx.phones.addPhones(
      batch.map((deviceName) => ({ deviceName })),
      actor,
    );
    await ctx.phones.schedule(batch, { operation: 'install', authMode: 'null-string', rsaKeySize: 2048 }, actor);
  }
  return names;
}
