// `opencapf` entry point: hands argv to the CLI and exits with its code.
import { runCli } from './cli/index.ts';
import { guardProcessOutput } from './cli/io.ts';

// Output lost to a write error (not a closed pipe) is a failure even when the command itself succeeded.
let outputFailed = false;
guardProcessOutput(process.stdout, process.stderr, () => {
  outputFailed = true;
  if (!process.exitCode) process.exitCode = 1;
});
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
process.exitCode = code === 0 && outputFailed ? 1 : code;
