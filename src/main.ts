// `opencapf` entry point: hands argv to the CLI and exits with its code.
import { runCli } from './cli/index.ts';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
process.exitCode = code;
