// Owns starting the HTTP (TCP 6970) and HTTPS (TCP 6971) provisioning listeners from configuration; the
// servers are provisioning/http-server.ts. HTTPS uses the tftp identity, swapped in place when it changes.

import type { AppServices } from '../context.ts';
import { createProvisioningHttpServer, createProvisioningHttpsServer, type ProvisioningHandlerDeps } from '../../provisioning/http-server.ts';
import { drainable, listen } from '../../shared/drain.ts';
import { bindError } from '../../shared/bind-error.ts';
import type { ListenerFactory } from './types.ts';

type HttpServices = Pick<AppServices, 'config' | 'logger' | 'metrics' | 'httpExtensions' | 'provisioning' | 'identities'>;

function handlerDeps(s: HttpServices, component: 'http' | 'https'): Omit<ProvisioningHandlerDeps, 'https'> {
  return {
    logger: s.logger.child({ component }),
    maxBodyBytes: s.config['http.maxBodyBytes'],
    extensions: s.httpExtensions,
    catalogue: s.provisioning.catalogue,
    onTransfer: (result, transport) => s.metrics.tftpTransfers.inc({ result, transport }),
  };
}

export const startHttpListener: ListenerFactory<HttpServices> = async (s) => {
  const { config } = s;
  if (!config['http.enabled']) return null;
  const server = createProvisioningHttpServer(handlerDeps(s, 'http'));
  const port = await listen(server, config.host, config['http.port'], (e) => bindError('HTTP provisioning', config.host, config['http.port'], 'http.port', '--http-port', e));
  const release = s.provisioning.watch();
  const closing = drainable(server);
  return {
    name: 'http',
    host: config.host,
    port,
    stopAccepting: closing.stopAccepting,
    async stop(drainMs) {
      release();
      await closing.stop(drainMs);
    },
  };
};

export const startHttpsListener: ListenerFactory<HttpServices> = async (s) => {
  const { config } = s;
  if (!config['https.enabled']) return null;
  const creds = () => {
    const id = s.identities.get('tftp');
    return { cert: id.certPem, key: id.keyPem };
  };
  const { server, tlsFailures } = createProvisioningHttpsServer(handlerDeps(s, 'https'), creds());
  s.identities.onChange((name) => {
    if (name === 'tftp') server.setSecureContext(creds());
  });
  const port = await listen(server, config.host, config['https.port'], (e) => bindError('HTTPS provisioning', config.host, config['https.port'], 'https.port', '--https-port', e));
  const release = s.provisioning.watch();
  const closing = drainable(server);
  return {
    name: 'https',
    host: config.host,
    port,
    stopAccepting: closing.stopAccepting,
    async stop(drainMs) {
      release();
      await closing.stop(drainMs);
      tlsFailures.flush();
    },
  };
};
