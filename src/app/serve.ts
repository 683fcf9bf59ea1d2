// Owns `opencapf serve`: start every listener, report where they listen, drain on SIGTERM/SIGINT.

import type { AppContext } from './context.ts';
import { createCapfServer, type CapfServer } from '../capf/index.ts';
import { describeCapfExpiry } from './status.ts';

export interface RunningServer {
  capf: CapfServer | null;
  ports: { capf?: number };
  stop(): Promise<void>;
}

export async function startServices(ctx: AppContext): Promise<RunningServer> {
  const { config, logger } = ctx;
  const expiry = describeCapfExpiry(ctx);
  if (expiry.level !== 'ok') logger.warn({ notAfter: expiry.notAfter }, expiry.message);
  const started: { stop(): Promise<void> }[] = [];
  const ports: RunningServer['ports'] = {};
  let capf: CapfServer | null = null;
  try {
    if (config['capf.enabled']) {
      capf = createCapfServer({
        host: config.host,
        port: config['capf.port'],
        credentials: () => {
          const id = ctx.identities.get('capf');
          return { certPem: id.certPem, keyPem: id.keyPem };
        },
        authority: ctx.capfAuthority,
        settings: {
          wireStyle: config['capf.wireStyle'],
          responseTimeoutMs: config['capf.responseTimeoutMs'],
          keyGenerationTimeoutMs: config['capf.keyGenerationTimeoutMs'],
        },
        maxSessions: config['capf.maxSessions'],
        handshakeTimeoutMs: config['capf.handshakeTimeoutMs'],
        maxMessageBytes: config['capf.maxMessageBytes'],
        legacyTls: config['capf.legacyTls'],
        logger: logger.child({ component: 'capf' }),
        clock: ctx.clock,
      });
      ctx.identities.onChange((name) => {
        if (name === 'capf') capf?.reloadCredentials();
      });
      const { port } = await capf.start();
      ports.capf = port;
      const server = capf;
      started.push({ stop: () => server.stop(config['capf.drainTimeoutMs']) });
      logger.info({ host: config.host, port }, `CAPF listening on ${config.host}:${port}`);
    }
  } catch (e) {
    for (const s of started.reverse()) await s.stop();
    throw e;
  }
  return {
    capf,
    ports,
    async stop() {
      for (const s of started.reverse()) await s.stop();
    },
  };
}
