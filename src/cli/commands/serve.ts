// Owns `opencapf serve`: open the services, start the listener registry, and on SIGTERM/SIGINT stop them in two
// phases and exit within the drain timeout, with a last-resort timer should anything still hang.

import { type Command, Option } from 'commander';
import { configFrom, opts as g, type CliEnv } from '../common.ts';
import { out } from '../io.ts';
import { createLogger } from '../../shared/logger.ts';
import { openContext } from '../../app/context.ts';
import { type RunningServer, startServices } from '../../app/serve.ts';

/** After the drain timeout, time left for destroying connections and closing the store before a forced exit. */
const FORCED_EXIT_GRACE_MS = 5000;

export function registerServeCommands(program: Command, { io }: CliEnv): void {
  program
    .command('serve')
    .description(
      'start every listener (CAPF TLS 3804, TVS TLS 2445, TFTP UDP 69, HTTP 6970, HTTPS ' +
        '6971, REST API) on the configured store; Ctrl-C or SIGTERM drains sessions and exits',
    )
    .option('--host <addr>', 'address to bind every listener to (default 0.0.0.0)')
    .option('--capf-port <port>', 'CAPF TLS port (default 3804)')
    .option('--api-port <port>', 'REST API port (default 8443)')
    .option('--tftp-port <port>', 'TFTP port (UDP, default 69; below 1024 needs privilege)')
    .option('--http-port <port>', 'HTTP provisioning port (default 6970)')
    .option('--https-port <port>', 'HTTPS provisioning port (default 6971)')
    .option('--tvs-port <port>', 'TVS TLS port (default 2445)')
    .addOption(new Option('--store <driver>', 'database').choices(['sqlite', 'postgres']))
    .option('--postgres-url <url>', 'PostgreSQL connection string (with --store postgres)')
    .option('--node-name <name>', "this node's name (CN of its TFTP/TVS certificates)")
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      const config = configFrom(io, o, {
        host: o.host,
        'capf.port': o.capfPort,
        'api.port': o.apiPort,
        'tftp.port': o.tftpPort,
        'http.port': o.httpPort,
        'https.port': o.httpsPort,
        'tvs.port': o.tvsPort,
        'store.driver': o.store,
        'store.postgresUrl': o.postgresUrl,
        'cluster.nodeName': o.nodeName,
      });
      const logger = createLogger(config['log.level']);
      const ctx = await openContext(config, logger);
      // First start: an administrator, with the password from OPENCAPF_ADMIN_PASSWORD or a one-time one printed once
      // here.
      const boot = await ctx.admin.users.bootstrap(io.env.OPENCAPF_ADMIN_PASSWORD || undefined);
      if (boot.created && boot.password)
        out(
          io,
          'Created user "admin" with the one-time password: ' +
            `${boot.password}  (it is shown only now; change it at first login)`,
        );
      else if (boot.created) out(io, 'Created user "admin" with the password from OPENCAPF_ADMIN_PASSWORD.');
      let running: RunningServer;
      try {
        running = await startServices(ctx);
      } catch (e) {
        await ctx.close();
        throw e;
      }
      const capf = ctx.identities.get('capf').certificate;
      out(
        io,
        `OpenCAPF serving. ${running.listeners
          .filter((l) => !l.background)
          .map((l) => `${l.name} ${l.host}:${l.port}`)
          .join(', ')}  CA ${capf.subjectDn} (valid to ${capf.notAfter.toISOString()})  data ${config.dataDir}`,
      );
      const drainMs = config['capf.drainTimeoutMs'];
      await new Promise<void>((resolve, reject) => {
        let stopping = false;
        const stop = (sig: string) => {
          if (stopping) return;
          stopping = true;
          // Last resort: whatever a client, a job or the store does, the process is gone shortly after the
          // drain timeout (exit 1: the orderly stop did not finish). Unref'd: it never keeps the process up.
          setTimeout(() => {
            logger.fatal({ signal: sig, drainMs }, 'shutdown did not finish after the drain timeout; exiting now');
            process.exit(1);
          }, drainMs + FORCED_EXIT_GRACE_MS).unref();
          const stopped = running.stop(drainMs);
          // Logged after every listener has stopped accepting (stop() does that synchronously first).
          logger.warn(
            { signal: sig, drainMs },
            'stopped accepting on every listener; draining in-flight work before exit',
          );
          stopped.then(() => ctx.close()).then(resolve, reject);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      out(io, 'OpenCAPF stopped.');
      // Every listener and the store are closed; a handle someone forgot to release must not keep the
      // process alive past this point (the exit code stays the CLI's).
      setTimeout(() => process.exit(), 1000).unref();
    });
}
