// Owns `opencapf user …`: administrators of the REST API, their roles, passwords and API tokens.

import { Option, type Command } from 'commander';
import { withServices, actor, intOpt, opts as g, type CliEnv } from '../common.ts';
import { out } from '../io.ts';
import { table } from '../format.ts';
import { randomPassword, ROLES, TOKEN_SCOPES, type Role, type TokenScope } from '../../access/index.ts';

export function registerUserCommands(program: Command, { io }: CliEnv): void {
  const user = program.command('user').description('REST API users (admin, operator, read-only) and API tokens');
  user
    .command('bootstrap')
    .description(
      'create the first administrator when there is no user (password ' +
        'from OPENCAPF_ADMIN_PASSWORD or a one-time one printed once)',
    )
    .action(async (_o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) => {
        const r = await ctx.admin.users.bootstrap(io.env.OPENCAPF_ADMIN_PASSWORD || undefined);
        if (!r.created) out(io, 'users already exist; nothing to do');
        else if (r.password)
          out(
            io,
            'Created user "admin" with the one-time password: ' +
              `${r.password}  (shown only now; change it at first login)`,
          );
        else out(io, 'Created user "admin" with the password from OPENCAPF_ADMIN_PASSWORD.');
      });
    });
  user
    .command('list')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const users = await ctx.admin.users.list();
        if (o.json) return out(io, JSON.stringify(users, null, 2));
        out(
          io,
          table(
            ['User', 'Role', 'Disabled', 'Must change password', 'Last login'],
            users.map((u) => [
              u.username,
              ROLES[u.role].label,
              u.disabled ? 'yes' : '',
              u.mustChangePassword ? 'yes' : '',
              u.lastLoginAt ?? 'never',
            ]),
          ),
        );
      });
    });
  user
    .command('add')
    .argument('<username>')
    .addOption(new Option('--role <role>', 'role').choices(Object.keys(ROLES)).default('read-only'))
    .option('--password-stdin', 'read the password from standard input (otherwise a one-time password is printed)')
    .action(async (username: string, _o, cmd: Command) => {
      const o = g(cmd);
      let password: string | null = null;
      if (o.passwordStdin) {
        const chunks: Buffer[] = [];
        for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
        password = Buffer.concat(chunks)
          .toString('utf8')
          .replace(/\r?\n$/, '');
      }
      await withServices(io, o, ['admin'], async (ctx) => {
        const r = await ctx.admin.users.create(username, o.role as Role, password, actor(io));
        out(
          io,
          r.password
            ? `user "${username}" (${o.role}) created; one-time password: ${r.password}`
            : `user "${username}" (${o.role}) created`,
        );
      });
    });
  user
    .command('set-role')
    .argument('<username>')
    .addOption(new Option('--role <role>', 'role').choices(Object.keys(ROLES)).makeOptionMandatory())
    .action(async (username: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) =>
        out(
          io,
          `user "${(await ctx.admin.users.update(username, { role: o.role as Role }, actor(io))).username}" ` +
            `is now ${o.role}`,
        ),
      );
    });
  user
    .command('reset-password')
    .argument('<username>')
    .description('set a new one-time password (printed once; the user must change it)')
    .action(async (username: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) => {
        const pw = randomPassword();
        await ctx.admin.users.update(username, { password: pw }, actor(io));
        out(io, `one-time password for "${username}": ${pw}`);
      });
    });
  user
    .command('disable')
    .argument('<username>')
    .action(async (username: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) => {
        await ctx.admin.users.update(username, { disabled: true }, actor(io));
        out(io, `user "${username}" disabled`);
      });
    });
  user
    .command('remove')
    .argument('<username>')
    .action(async (username: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) => {
        await ctx.admin.users.remove(username, actor(io));
        out(io, `user "${username}" removed`);
      });
    });
  const token = user.command('token').description('API tokens for scripts (Authorization: Bearer <token>)');
  token
    .command('create')
    .argument('<username>')
    .argument('<name>', 'what the token is for')
    .option('--scope <scope...>', `scopes: ${TOKEN_SCOPES.join(', ')}`, ['api'])
    .option('--expires-in-days <n>', 'expiry (default: never)')
    .action(async (username: string, name: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const r = await ctx.admin.users.createToken(
          username,
          name,
          o.scope as TokenScope[],
          o.expiresInDays ? intOpt(String(o.expiresInDays)) : null,
          actor(io),
        );
        out(io, r.token);
      });
    });
  token
    .command('list')
    .argument('[username]')
    .option('--json', 'JSON output')
    .action(async (username: string | undefined, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const items = await ctx.admin.users.listTokens(username);
        if (o.json) return out(io, JSON.stringify(items, null, 2));
        out(
          io,
          table(
            ['Id', 'User', 'Name', 'Scopes', 'Created', 'Expires', 'Last used'],
            items.map((t) => [
              t.id,
              t.username,
              t.name,
              t.scopes.join(','),
              t.createdAt,
              t.expiresAt ?? 'never',
              t.lastUsedAt ?? 'never',
            ]),
          ),
        );
      });
    });
  token
    .command('revoke')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) => {
        await ctx.admin.users.revokeToken(id, actor(io));
        out(io, `token ${id} revoked`);
      });
    });
}
