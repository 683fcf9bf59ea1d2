// bench/perf-diff: where the extra CPU of one operation over another goes, from two whole-machine
// `perf record -a` files (BENCH_PERF=system in bench/capf-enroll.ts writes them).
//
//   npx tsx bench/perf-diff.ts A.perf B.perf --ops-a 500 --ops-b 500 [--freq 999] [--top 40]
//                              [--roles PID=server,PID=client]   (bench/capf-enroll prints both pids)
//
// Counts the sampled leaf frames of every process but the idle task and perf itself, groups them by
// kind (RSA, X25519, symmetric crypto, other OpenSSL, malloc, SQLite, V8 GC, JavaScript, V8 runtime,
// Node's C++, kernel network/scheduler/other), and prints µs of CPU per operation for A, for B and the
// difference, then the symbols whose cost per operation grew most.

import { spawnSync } from 'node:child_process';

const args = new Map<string, string>();
const files: string[] = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (a.startsWith('--')) args.set(a.slice(2), process.argv[++i] ?? '');
  else files.push(a);
}
if (files.length !== 2 || !args.get('ops-a') || !args.get('ops-b')) {
  console.error(
    'usage: npx tsx bench/perf-diff.ts A.perf B.perf --ops-a N --ops-b N ' +
      '[--freq 999] [--top 40] [--roles PID=name,...]',
  );
  process.exit(2);
}
const freq = Number(args.get('freq') ?? 999);
const top = Number(args.get('top') ?? 40);

const kinds: [string, (sym: string, dso: string) => boolean][] = [
  ['RSA (bignum)', (s) => /rsaz|^bn_|^BN_|^RSA|^rsa_|mont|ossl_extract_multiplier/i.test(s)],
  ['X25519 / EC', (s) => /x25519|^fe_|fe51|ecp_|^ec_|^EC_|ossl_ec/i.test(s)],
  ['symmetric (AES/SHA/HMAC)', (s) => /aes|gcm|ghash|sha\d|sha_|chacha|poly1305|hmac|md5/i.test(s)],
  ['SQLite', (_s, d) => d.includes('better_sqlite3')],
  ['malloc', (s, d) => d.includes('libc') && /malloc|free|_int_|consolidate|unlink_chunk|tcache/i.test(s)],
  ['V8 GC', (s) => /Scaveng|Heap::|::Heap|Mark|Sweep|Evacuat|GC|Remembered|Marking|Compactor/.test(s)],
  [
    'JavaScript (JIT + builtins)',
    (s, d) => d.includes('JIT') || s.startsWith('JS:') || s.startsWith('Builtins_') || s.startsWith('LazyCompile'),
  ],
  [
    'OpenSSL other',
    (s) =>
      /SSL|ssl|EVP|evp|OPENSSL|OSSL|ossl|ASN1|asn1|X509|x509/.test(s) ||
      /ERR_|CRYPTO|provider|^do_name|OBJ_|BIO|PEM|tls_|dtls|ctx_/.test(s),
  ],
  ['V8 runtime', (s) => /^v8::|Runtime_|^v8_|LookupIterator/.test(s)],
  ['Node C++', (s) => /^node::|^uv_|^uv__/.test(s)],
  [
    'kernel: network',
    (s, d) =>
      d.includes('kernel') && /tcp|skb|ip_|ipv|inet|net_|sock|loopback|dev_|__dev|napi|netif|nf_|raw_|sk_/.test(s),
  ],
  [
    'kernel: scheduler, futex, epoll',
    (s, d) =>
      d.includes('kernel') &&
      (/sched|switch|futex|epoll|wake|schedule|idle|task|rq_|hrtimer/.test(s) ||
        /update_|enqueue|dequeue|pick_next|select_task|ttwu/.test(s)),
  ],
  ['kernel: other', (_s, d) => d.includes('kernel')],
  ['libc other', (_s, d) => d.includes('libc')],
];

function load(file: string): Map<string, number> {
  const r = spawnSync('perf', ['script', '-i', file, '-F', 'comm,pid,ip,sym,dso'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`perf script failed on ${file}: ${r.stderr}`);
  const counts = new Map<string, number>();
  // Without call graphs each sample is one line: "comm  addr sym (dso)"; with -g the first frame line follows the
  // header.
  let expectFrame = false;
  let comm = '';
  let pid = '';
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) {
      expectFrame = false;
      continue;
    }
    if (!line.startsWith('\t') && !line.startsWith(' ')) {
      [comm = '', pid = ''] = line.trim().split(/\s+/);
      expectFrame = true;
      continue;
    }
    if (!expectFrame) continue;
    expectFrame = false;
    if (comm === 'swapper' || comm === 'perf') continue;
    const m = /^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$/.exec(line);
    if (!m) continue;
    const sym = m[1]!.replace(/\+0x[0-9a-f]+$/, '');
    const key = `${sym}\u0000${m[2]!}\u0000${pid}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const kindOf = (key: string) => {
  const [sym, dso] = key.split('\u0000') as [string, string];
  return kinds.find(([, f]) => f(sym, dso))?.[0] ?? 'other';
};
const roles = new Map(
  (args.get('roles') ?? '')
    .split(',')
    .filter(Boolean)
    .map((x) => x.split('=') as [string, string]),
);
const roleOf = (key: string) => {
  const pid = key.split('\u0000')[2] ?? '';
  return roles.get(pid) ?? (roles.size ? 'other processes' : `pid ${pid}`);
};
const [allA, allB] = files.map(load) as [Map<string, number>, Map<string, number>];
const usPerOp = (n: number, ops: number) => (n / freq / ops) * 1e6;
const opsA = Number(args.get('ops-a'));
const opsB = Number(args.get('ops-b'));

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number) => x.toFixed(0).padStart(7);
function table(title: string, keep: (key: string) => boolean): void {
  const a = new Map([...allA].filter(([k]) => keep(k)));
  const b = new Map([...allB].filter(([k]) => keep(k)));
  const byKind = new Map<string, [number, number]>();
  console.log(`\n== ${title}`);
  for (const [m, i] of [
    [a, 0],
    [b, 1],
  ] as const) {
    for (const [k, n] of m) {
      const e = byKind.get(kindOf(k)) ?? [0, 0];
      e[i] += n;
      byKind.set(kindOf(k), e);
    }
  }
  console.log(`${pad('kind', 34)}${'A µs/op'.padStart(9)}${'B µs/op'.padStart(9)}${'B-A'.padStart(8)}`);
  let ta = 0;
  let tb = 0;
  for (const [k, [na, nb]] of [...byKind].sort(
    (x, y) => usPerOp(y[1][1], opsB) - usPerOp(y[1][0], opsA) - (usPerOp(x[1][1], opsB) - usPerOp(x[1][0], opsA)),
  )) {
    const ua = usPerOp(na, opsA);
    const ub = usPerOp(nb, opsB);
    ta += ua;
    tb += ub;
    console.log(`${pad(k, 34)}  ${num(ua)}  ${num(ub)} ${num(ub - ua)}`);
  }
  console.log(`${pad('total', 34)}  ${num(ta)}  ${num(tb)} ${num(tb - ta)}`);
}
table('all processes', () => true);
const roleNames = [...new Set([...allA.keys(), ...allB.keys()].map(roleOf))].sort();
for (const r of roleNames) table(r, (k) => roleOf(k) === r);

console.log(`\nsymbols whose cost per operation grew most (µs/op, B-A):`);
const keys = new Set([...allA.keys(), ...allB.keys()]);
const diffs = [...keys]
  .map((k) => [k, usPerOp(allB.get(k) ?? 0, opsB) - usPerOp(allA.get(k) ?? 0, opsA)] as const)
  .sort((x, y) => y[1] - x[1]);
for (const [k, d] of diffs.slice(0, top)) {
  const [sym, dso] = k.split('\u0000') as [string, string];
  console.log(`${num(d)}  ${pad(roleOf(k), 10)} ${pad(kindOf(k), 32)} ${sym.slice(0, 90)}  [${dso.split('/').pop()}]`);
}
