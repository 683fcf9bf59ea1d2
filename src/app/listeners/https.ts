// Owns the HTTPS provisioning listener (TCP 6971) with the tftp identity, for phones whose ITL has
// signer version 1.1 (phone-config.md §4); the certificate is swapped in place when tftp changes.

import https from 'node:https';
import { bindError } from './bind-error.ts';
import { createProvisioningHandler, drainable, hardenServer, listen } from './http.ts';
import { clientAddress } from '../../shared/connection-gate.ts';
import { createRateLimitedLog } from '../../shared/rate-limited-log.ts';
import type { ListenerFactory } from './types.ts';

export const startHttpsListener: ListenerFactory = async (ctx) => {
  const { config } = ctx;
  if (!config['https.enabled']) return null;
  const creds = () => {
    const id = ctx.identities.get('tftp');
    return { cert: id.certPem, key: id.keyPem };
  };
  const server = https.createServer({ ...creds() }, createProvisioningHandler(ctx, { https: true }));
  hardenServer(server);
  // Scanners and floods fail handshakes by the thousand: a few lines per interval, then a summary.
  const limitedLog = createRateLimitedLog(ctx.logger.child({ component: 'https' }));
  server.on('tlsClientError', (e, socket) => {
    limitedLog.warn('https-tls-failed', clientAddress(socket), { peer: socket.remoteAddress, err: e.message }, 'https TLS handshake failed');
  });
  ctx.identities.onChange((name) => {
    if (name === 'tftp') server.setSecureContext(creds());
  });
  const port = await listen(server, config.host, config['https.port'], (e) => bindError('HTTPS provisioning', config.host, config['https.port'], 'https.port', '--https-port', e));
  const release = ctx.provisioning.watch();
  const closing = drainable(server);
  return {
    name: 'https',
    host: config.host,
    port,
    stopAccepting: closing.stopAccepting,
    async stop(drainMs) {
      release();
      await closing.stop(drainMs);
      limitedLog.flush();
    },
  };
};
