// Owns rate-limited logging of repetitive events (refused connections, failed handshakes, malformed
// packets): the first few lines of each event per interval are written, then one summary line per interval
// with the count and the clients that caused most of them, so a flood cannot flood the log too.

/** The subset of a pino logger this needs. */
export interface WarnSink {
  warn(obj: Record<string, unknown>, msg: string): void;
  info?(obj: Record<string, unknown>, msg: string): void;
  error?(obj: Record<string, unknown>, msg: string): void;
}

export interface RateLimitedLogOptions {
  /** Length of one interval (default 10 s). */
  intervalMs?: number;
  /** Lines of one event written per interval before the rest are only counted (default 5). */
  burst?: number;
  /** Clients listed in a summary line (default 5). */
  topClients?: number;
}

export interface RateLimitedLog {
  /**
   * Writes `msg` with `fields` at warn unless `event` already wrote `burst` lines this interval; counts it
   * for `client` either way. `event` names the kind of line (its message is usually a good name).
   */
  warn(event: string, client: string, fields: Record<string, unknown>, msg: string): void;
  /** The same at info level (the summary line is always at warn). */
  info(event: string, client: string, fields: Record<string, unknown>, msg: string): void;
  /** The same at error level (its summary line at error too: an outage stays visible to alerting). */
  error(event: string, client: string, fields: Record<string, unknown>, msg: string): void;
  /** Writes the summary of the current interval now (a listener calls this when it stops). */
  flush(): void;
}

/** Distinct clients counted per event and interval; a flood from more addresses is counted under "other". */
const MAX_CLIENTS_TRACKED = 1024;

interface EventWindow {
  msg: string;
  level: 'warn' | 'info' | 'error';
  total: number;
  logged: number;
  clients: Map<string, number>;
  other: number;
}

export function createRateLimitedLog(sink: WarnSink, o: RateLimitedLogOptions = {}): RateLimitedLog {
  const intervalMs = o.intervalMs ?? 10_000;
  const burst = o.burst ?? 5;
  const top = o.topClients ?? 5;
  let windows = new Map<string, EventWindow>();
  let timer: NodeJS.Timeout | null = null;

  const flush = (): void => {
    const done = windows;
    windows = new Map();
    if (timer) clearInterval(timer);
    timer = null;
    for (const [event, w] of done) {
      const suppressed = w.total - w.logged;
      if (suppressed === 0) continue;
      const topClients = [...w.clients]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([client, count]) => ({ client, count }));
      const write = w.level === 'error' && sink.error ? sink.error.bind(sink) : sink.warn.bind(sink);
      write(
        {
          event,
          total: w.total,
          logged: w.logged,
          suppressed,
          intervalMs,
          topClients,
          ...(w.other ? { otherClients: w.other } : {}),
        },
        `${w.msg}: ${w.total} in this interval, ${suppressed} not logged one by one`,
      );
    }
  };

  const note = (
    level: 'warn' | 'info' | 'error',
    event: string,
    client: string,
    fields: Record<string, unknown>,
    msg: string,
  ): void => {
    let w = windows.get(event);
    if (!w) {
      w = { msg, level, total: 0, logged: 0, clients: new Map(), other: 0 };
      windows.set(event, w);
      // One timer per logger, only while something is counted; it never keeps the process alive.
      timer ??= setInterval(flush, intervalMs).unref();
    }
    w.total++;
    const n = w.clients.get(client);
    if (n !== undefined) w.clients.set(client, n + 1);
    else if (w.clients.size < MAX_CLIENTS_TRACKED) w.clients.set(client, 1);
    else w.other++;
    if (w.logged < burst) {
      w.logged++;
      if (level === 'info' && sink.info) sink.info(fields, msg);
      else if (level === 'error' && sink.error) sink.error(fields, msg);
      else sink.warn(fields, msg);
    }
  };

  return {
    warn: (event, client, fields, msg) => note('warn', event, client, fields, msg),
    info: (event, client, fields, msg) => note('info', event, client, fields, msg),
    error: (event, client, fields, msg) => note('error', event, client, fields, msg),
    flush,
  };
}
