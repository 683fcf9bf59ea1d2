// The `opencapf` executable: a CommonJS launcher that sets process-level settings before libuv's
// thread pool starts (bin/runtime-env.cjs), then runs the compiled entry point in dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const { threadpoolSize, applyRuntimeEnv } = createRequire(import.meta.url)(
  '../../bin/runtime-env.cjs',
) as typeof import('../../bin/runtime-env.cjs');

test('pool size: one core for the event loop, the rest (1..4) for the pool', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 16, 64].map((c) => threadpoolSize(c)),
    [1, 1, 2, 3, 4, 4, 4],
  );
});

test('UV_THREADPOOL_SIZE set by the operator wins; otherwise it is filled in', () => {
  assert.equal(applyRuntimeEnv({ UV_THREADPOOL_SIZE: '16' }, 2).UV_THREADPOOL_SIZE, '16');
  assert.equal(applyRuntimeEnv({}, 2).UV_THREADPOOL_SIZE, '1');
  assert.equal(applyRuntimeEnv({ UV_THREADPOOL_SIZE: '' }, 8).UV_THREADPOOL_SIZE, '4');
});

test('package.json runs the launcher for `opencapf` and `npm start`', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    bin: Record<string, string>;
    scripts: Record<string, string>;
  };
  assert.equal(pkg.bin.opencapf, 'bin/opencapf.cjs');
  assert.match(pkg.scripts.start!, /node bin\/opencapf\.cjs serve$/);
});

test('production runs compiled JavaScript: the launcher loads dist/main.js, tsx is only a dev dependency', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    scripts: Record<string, string>;
  };
  assert.equal(pkg.dependencies.tsx, undefined);
  assert.ok(pkg.devDependencies.tsx);
  assert.match(pkg.scripts.start!, /^npm run build && /);
  assert.match(readFileSync('bin/opencapf.js', 'utf8'), /\.\.\/dist\/main\.js/);
  assert.doesNotMatch(readFileSync('bin/opencapf.js', 'utf8'), /tsx/);
});

test('the launcher runs the CLI (help lists serve)', () => {
  const r = spawnSync(process.execPath, ['bin/opencapf.cjs', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: opencapf/);
  assert.match(r.stdout, /serve \[options\]/);
});

test('the launcher reports a failing entry point and exits non-zero', () => {
  const r = spawnSync(process.execPath, ['bin/opencapf.cjs', 'no-such-command'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command/);
});
