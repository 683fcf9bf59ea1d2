// Owns the background jobs of `serve` as one registry entry, independent of the API and CAPF listeners:
// the bulk job worker, the renewal policy timer, the sweep that revokes unacknowledged LSCs and the certificate
// monitor.

import type { AppServices } from '../context.ts';
import { delay } from '../../shared/drain.ts';
import type { ListenerFactory } from './types.ts';

type JobsServices = Pick<AppServices, 'config' | 'logger' | 'admin' | 'revocation' | 'monitor'>;

export const startBackgroundJobs: ListenerFactory<JobsServices> = async ({
  config,
  logger,
  admin,
  revocation,
  monitor,
}) => {
  const log = logger.child({ component: 'admin-jobs' });
  const failed = (what: string) => (e: unknown) => log.error({ err: (e as Error).message }, what);
  const worker = admin.bulk.startWorker({ pollMs: 2000, onError: failed('bulk job failed') });
  const renewal = admin.renewal.start(
    config['renewal.checkIntervalMinutes'] * 60_000,
    failed('renewal check failed'),
    (job) => {
      log.info({ jobId: job.id, phones: job.total }, 'renewal job scheduled');
      worker.wake();
    },
  );
  // Orphaned LSCs (sent, never acknowledged) come from CAPF sessions: only a node running CAPF sweeps them.
  const sweep = config['capf.enabled']
    ? revocation.startUnacknowledgedSweep(config['revocation.crlRefreshMinutes'] * 60_000, (e) =>
        logger
          .child({ component: 'revocation' })
          .error({ err: (e as Error).message }, 'revoking unacknowledged LSCs failed'),
      )
    : null;
  const monitorLog = logger.child({ component: 'cert-monitor' });
  // Every node may run it: the notification claims in the store keep two nodes from sending the same digest.
  const monitorRun = config['monitor.enabled']
    ? monitor.start({
        intervalMs: config['monitor.checkIntervalMinutes'] * 60_000,
        onError: (e) => monitorLog.error({ err: (e as Error).message }, 'certificate monitor run failed'),
        onRun: (r) => {
          for (const rule of r.rules) {
            if (!rule.slot) continue;
            for (const c of rule.channels) {
              const fields = {
                rule: rule.rule,
                slot: rule.slot,
                channel: c.channel,
                status: c.status,
                attempts: c.attempts,
              };
              if (c.status === 'failed')
                monitorLog.warn({ ...fields, detail: c.detail }, 'certificate digest not delivered');
              else monitorLog.info(fields, `certificate digest ${c.status}`);
            }
          }
          monitorLog.info({ rules: r.rules.length }, 'certificate monitor run finished');
        },
      })
    : null;
  let monitorStopped: Promise<void> | null = null;
  const stopTimers = () => {
    renewal.stop();
    sweep?.stop();
    monitorStopped ??= monitorRun?.stop() ?? Promise.resolve();
  };
  return {
    name: 'jobs',
    background: true,
    host: '',
    port: 0,
    stopAccepting: stopTimers,
    async stop(drainMs = 0) {
      stopTimers();
      // A bulk job still running past the drain is not waited for: serve exits within the drain timeout.
      const workerStopped = Promise.all([worker.stop(), monitorStopped]);
      const late = await Promise.race([workerStopped.then(() => false), delay(drainMs).then(() => true)]);
      if (late) log.warn({ drainMs }, 'a bulk job was still running when the drain timeout ended');
    },
  };
};
