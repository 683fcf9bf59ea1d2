// Owns the HTTPS provisioning listener (TCP 6971) with the tftp identity, for phones whose ITL has
// signer version 1.1 (phone-config.md §4); the certificate is swapped in place when tftp changes.

import https from 'node:https';
import { bindError } from './bind-error.ts';
import { closeServer, createProvisioningHandler, hardenServer, listen } from './http.ts';
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
  server.on('tlsClientError', (e, socket) => {
    ctx.logger.child({ component: 'https' }).warn({ peer: socket.remoteAddress, err: e.message }, 'https TLS handshake failed');
  });
  ctx.identities.onChange((name) => {
    if (name === 'tftp') server.setSecureContext(creds());
  });
  const port = await listen(server, config.host, config['https.port'], (e) => bindError('HTTPS provisioning', config.host, config['https.port'], 'https.port', '--https-port', e));
  const release = ctx.provisioning.watch();
  return {
    name: 'https',
    host: config.host,
    port,
    async stop() {
      release();
      await closeServer(server);
    },
  };
};
