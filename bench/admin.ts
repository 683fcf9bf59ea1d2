// Benchmarks administration at scale on SQLite: CSV import, bulk schedule with a unique string per device,
// a filtered find (first page, p95), and the CAPF report — each against a raw better-sqlite3 baseline doing
// the same rows in the same run, with the ratio and the target.
//
//   npx tsx bench/admin.ts [--phones 100000]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import SqliteDatabase from 'better-sqlite3';
import { loadConfig } from '../src/config/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { openContext } from '../src/app/context.ts';
import { LOCAL_VIEWER } from '../src/phones/filter-access.ts';

const argIdx = process.argv.indexOf('--phones');
const N = argIdx > 0 ? Number(process.argv[argIdx + 1]) : 100_000;
const MODELS = ['Cisco 8845', 'Cisco 8865', 'Cisco 7841', 'Cisco 7821', 'Cisco 8811', 'Cisco 9971'];
const actor = { name: 'bench', source: 'bench' };

const name = (i: number) => `SEP${(0x001000000000 + i).toString(16).toUpperCase().padStart(12, '0')}`;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function csvText(): string {
  const rows = ['Device Name,Model,Description,Security Profile'];
  for (let i = 0; i < N; i++) rows.push(`${name(i)},${MODELS[i % MODELS.length]},"Floor ${i % 40}, desk ${i}",`);
  return rows.join('\r\n') + '\r\n';
}

function* chunks(s: string, size = 64 * 1024) {
  for (let i = 0; i < s.length; i += size) yield Buffer.from(s.slice(i, i + size));
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!;
}

const results: { name: string; ours: number; baseline: number; target: number; unit: string }[] = [];

const dir = mkdtempSync(join(tmpdir(), 'opencapf-bench-admin-'));
try {
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'log.level': 'silent' } });
  const ctx = await openContext(config, createLogger('silent'));
  const csv = csvText();
  console.log(`bench/admin: ${N} phones, CSV ${(csv.length / 1e6).toFixed(1)} MB, SQLite (WAL) in ${dir}`);

  // Baseline database: the same phones table shape, raw prepared statements, one transaction each.
  const raw = new SqliteDatabase(join(dir, 'baseline.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.exec(`create table phones (device_name text primary key, model text not null, description text not null,
    profile_name text, cert_operation text not null, auth_mode text not null, auth_string text, key_order text not null,
    rsa_key_size integer not null, ec_key_size integer, completes_by text, status text not null,
    auth_failures integer not null default 0, lsc_serial text, lsc_issuer text, lsc_not_before text, lsc_not_after text,
    mic_serial text, mic_subject text, mic_issuer text, mic_seen_at text, last_session_at text,
    config_version integer not null default 1, created_at text not null, updated_at text not null);
    create index phones_model_idx on phones(model); create index phones_auth_string_idx on phones(auth_string);
    create index phones_lsc_not_after_idx on phones(lsc_not_after);
    create table audit_log (id integer primary key autoincrement, at text, actor text, source text, action text,
    target text, details text);`);

  // 1. CSV import
  let t0 = process.hrtime.bigint();
  const rep = await ctx.admin.csvImport.importCsv(Readable.from(chunks(csv)), actor);
  const importMs = ms(t0);
  if (rep.added !== N) throw new Error(`import added ${rep.added} of ${N}: ${JSON.stringify(rep.errors.slice(0, 3))}`);
  t0 = process.hrtime.bigint();
  {
    const now = new Date().toISOString();
    const ins =
      raw.prepare(`insert into phones (device_name, model, description, profile_name, cert_operation, auth_mode,
      auth_string, key_order, rsa_key_size, ec_key_size, completes_by, status, created_at, updated_at)
      values (?, ?, ?, null, 'none', 'null-string', null, 'rsa', 2048, null, null, 'None', ?, ?)`);
    const aud = raw.prepare(
      'insert into audit_log (at, actor, source, action, target, details) values (?, ?, ?, ?, ?, ?)',
    );
    raw.transaction(() => {
      for (const line of csv.split('\r\n').slice(1)) {
        if (!line) continue;
        const [dn, model] = line.split(',');
        ins.run(dn, model, 'desc', now, now);
        aud.run(now, 'bench', 'bench', 'phone.add', dn, '{}');
      }
    })();
  }
  results.push({ name: 'CSV import', ours: importMs, baseline: ms(t0), target: 15_000, unit: 'ms' });

  // Give half the phones an LSC (so find and the report have realistic data), the same in both databases.
  const lscSql = `update phones set lsc_serial = printf('%X', rowid * 7919), lsc_issuer = 'CN=CAPF-bench,O=OpenCAPF',
    lsc_not_before = '2025-01-01T00:00:00.000Z',
    lsc_not_after = strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01', '+' || (rowid % 900) || ' days') where rowid % 4 < 2`;
  const direct = new SqliteDatabase(join(dir, 'opencapf.db'));
  direct.exec(lscSql);
  direct.close();
  raw.exec(lscSql);

  // 2. Bulk schedule: Install/Upgrade, By Authentication String, a unique string per device, on every phone.
  t0 = process.hrtime.bigint();
  const job = await ctx.admin.bulk.createJob(
    {},
    {
      operation: 'install',
      authMode: 'auth-string',
      authString: 'generate',
      completesBy: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    },
    actor,
    LOCAL_VIEWER,
  );
  const done = await ctx.admin.bulk.runJob(job.id);
  const bulkMs = ms(t0);
  if (done.succeeded !== N) throw new Error(`bulk scheduled ${done.succeeded} of ${N}`);
  t0 = process.hrtime.bigint();
  {
    const now = new Date().toISOString();
    const upd = raw.prepare(
      `update phones set cert_operation = 'install', auth_mode = 'auth-string', auth_string = ?, completes_by = ?,
      status = 'Operation Pending', updated_at = ?, config_version = config_version + 1 where device_name = ?`,
    );
    const aud = raw.prepare(
      'insert into audit_log (at, actor, source, action, target, details) values (?, ?, ?, ?, ?, ?)',
    );
    const names = raw.prepare('select device_name from phones order by device_name').pluck().all() as string[];
    raw.transaction(() => {
      for (const dn of names) {
        upd.run(String(Math.floor(Math.random() * 1e8)).padStart(8, '0'), now, now, dn);
        aud.run(now, 'bench', 'bench', 'capf.schedule', dn, '{}');
      }
    })();
  }
  results.push({ name: 'Bulk schedule (unique strings)', ours: bulkMs, baseline: ms(t0), target: 10_000, unit: 'ms' });

  // 3. Find, first page: model contains 8845, LSC installed, expiring before a date, sorted by expiry
  // (with the total).
  const q = {
    modelContains: '8845',
    lscStatus: 'installed' as const,
    lscExpiresBefore: '2028-01-01T00:00:00.000Z',
    sort: 'lscNotAfter' as const,
    limit: 50,
    offset: 0,
  };
  const ourTimes: number[] = [];
  const rawTimes: number[] = [];
  const rawPage = raw.prepare(
    `select * from phones where lower(model) like ? escape '\\' and lsc_serial is not null and lsc_not_after < ?
    order by lsc_not_after, device_name limit 50`,
  );
  const rawCount = raw.prepare(
    'select count(*) from phones ' +
      `where lower(model) like ? escape '\\' and lsc_serial is not null and lsc_not_after < ?`,
  );
  for (let i = 0; i < 220; i++) {
    t0 = process.hrtime.bigint();
    const r = await ctx.admin.phoneAdmin.find(q, LOCAL_VIEWER);
    if (i >= 20) ourTimes.push(ms(t0));
    if (r.items.length !== 50) throw new Error('find returned a short page');
    t0 = process.hrtime.bigint();
    rawPage.all('%8845%', q.lscExpiresBefore);
    rawCount.pluck().get('%8845%', q.lscExpiresBefore);
    if (i >= 20) rawTimes.push(ms(t0));
  }
  results.push({
    name: 'Find, first page (p95 of 200)',
    ours: p95(ourTimes),
    baseline: p95(rawTimes),
    target: 50,
    unit: 'ms',
  });

  // 4. The CAPF report, all phones, as CSV.
  t0 = process.hrtime.bigint();
  let bytes = 0;
  for await (const c of ctx.admin.reports.capfReportCsv({}, LOCAL_VIEWER)) bytes += c.length;
  const reportMs = ms(t0);
  t0 = process.hrtime.bigint();
  {
    let out = 0;
    for (const r of raw.prepare('select * from phones order by device_name').iterate() as Iterable<
      Record<string, unknown>
    >) {
      const lscStatus = r.lsc_serial ? 'Installed' : 'None';
      out += (
        `${r.device_name},${r.model},"${r.description}",${r.auth_mode},${r.auth_string},${r.cert_operation},` +
        `${r.status},${lscStatus},${r.lsc_serial ?? ''},${r.lsc_issuer ?? ''},${r.lsc_not_before ?? ''},` +
        `${r.lsc_not_after ?? ''}\r\n`
      ).length;
    }
    if (!out) throw new Error('empty baseline report');
  }
  results.push({
    name: `CAPF report (${(bytes / 1e6).toFixed(1)} MB CSV)`,
    ours: reportMs,
    baseline: ms(t0),
    target: 5_000,
    unit: 'ms',
  });

  raw.close();
  await ctx.close();

  console.log('');
  console.log(
    `${'measure'.padEnd(34)} ${'OpenCAPF'.padStart(10)} ${'baseline'.padStart(10)} ${'ratio'.padStart(7)} ` +
      `${'target'.padStart(10)}  result`,
  );
  for (const r of results) {
    const ours = `${r.ours.toFixed(r.ours < 100 ? 1 : 0)} ms`;
    const baseline = `${r.baseline.toFixed(r.baseline < 100 ? 1 : 0)} ms`;
    const ratio = `${(r.ours / r.baseline).toFixed(1)}x`;
    const target = `<= ${r.target} ms`;
    console.log(
      `${r.name.padEnd(34)} ${ours.padStart(10)} ${baseline.padStart(10)} ${ratio.padStart(7)} ` +
        `${target.padStart(10)}  ${r.ours <= r.target ? 'OK' : 'MISSED'}`,
    );
  }
  console.log(
    '\nbaseline = raw better-sqlite3 prepared statements on the same rows in one transaction ' +
      '(no validation, no audit details, no Kysely).',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
