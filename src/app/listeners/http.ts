// Owns starting the HTTP (TCP 6970) and HTTPS (TCP 6971) provisioning listeners from configuration; the
// servers are provisioning/http-server.ts. HTTPS uses the tftp identity, swapped in place when it changes.

import type http from 'node:http';
import type { AppServices } from '../context.ts';
import { createProvisioningHttpServer, createProvisioningHttpsServer } from '../../provisioning/http-server.ts';
import { drainable, listen } from '../../shared/drain.ts';
import { tlsPolicyOf } from '../../config/index.ts';
import { tlsServerOptions } from '../../shared/tls-policy.ts';
import { bindError } from '../../shared/bind-error.ts';
import { listenerOf, type StartedListener } from '../../shared/listener.ts';
import type { ListenerFactory } from './types.ts';

type HttpServices = Pick<
  AppServices,
  'config' | 'logger' | 'metrics' | 'httpExtensions' | 'provisioning' | 'identities'
>;

function handlerDeps(s: HttpServices, component: 'http' | 'https') {
  return {
    logger: s.logger.child({ component }),
    maxBodyBytes: s.config['http.maxBodyBytes'],
    extensions: s.httpExtensions,
    catalogue: s.provisioning.catalogue,
    onTransfer: (result: 'ok' | 'not-found' | 'denied' | 'error', transport: 'http' | 'https') =>
      s.metrics.tftpTransfers.inc({ result, transport }),
  };
}

async function started(
  s: HttpServices,
  name: 'http' | 'https',
  server: http.Server,
  flush?: () => void,
): Promise<StartedListener> {
  const { host } = s.config;
  const configured = s.config[`${name}.port`];
  const label = name === 'http' ? 'HTTP provisioning' : 'HTTPS provisioning';
  const port = await listen(server, host, configured, (e) =>
    bindError(label, host, configured, `${name}.port`, `--${name}-port`, e),
  );
  return listenerOf(name, { host, port }, drainable(server), {
    release: s.provisioning.watch(),
    ...(flush ? { flush } : {}),
  });
}

export const startHttpListener: ListenerFactory<HttpServices> = async (s) =>
  s.config['http.enabled'] ? started(s, 'http', createProvisioningHttpServer(handlerDeps(s, 'http'))) : null;

export const startHttpsListener: ListenerFactory<HttpServices> = async (s) => {
  if (!s.config['https.enabled']) return null;
  const creds = () => ({ cert: s.identities.get('tftp').certPem, key: s.identities.get('tftp').keyPem });
  const policy = tlsServerOptions(tlsPolicyOf(s.config, 'https'));
  const { server, tlsFailures } = createProvisioningHttpsServer(handlerDeps(s, 'https'), creds(), policy);
  // setSecureContext replaces the whole context: the policy goes with the new certificate.
  s.identities.onChange((name) => name === 'tftp' && server.setSecureContext({ ...creds(), ...policy }));
  return started(s, 'https', server, () => tlsFailures.flush());
};
