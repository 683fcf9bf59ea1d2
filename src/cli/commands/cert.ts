// Owns `opencapf cert …` (CUCM Certificate Management).

import { type Command, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { AppError } from '../../shared/errors.ts';
import { withServices, actor, opts as g, type CliEnv } from '../common.ts';
import { err, out } from '../io.ts';
import { describeCapfExpiry } from '../../app/status.ts';
import { IDENTITIES, isIdentityName, pemToDer, type IdentityName } from '../../pki/index.ts';
import { certificateDetails, table } from '../format.ts';

export function registerCertCommands(program: Command, { io }: CliEnv): void {
  const cert = program.command('cert').description("the cluster's certificates (CUCM Certificate Management)");
  const identityArg = (name: string): IdentityName => {
    if (!isIdentityName(name))
      throw new AppError(
        'ERR_PKI_UNKNOWN_IDENTITY',
        `unknown certificate "${name}" (use ${Object.keys(IDENTITIES).join(', ')})`,
      );
    return name;
  };
  cert
    .command('list')
    .description('Certificate List: every identity with its type, key, issuer and expiry')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['identities', 'clock', 'config'], async (ctx) => {
        const ids = ctx.identities.list();
        if (o.json) {
          return out(
            io,
            JSON.stringify(
              ids.map((i) => ({
                name: i.name,
                purpose: IDENTITIES[i.name].purpose,
                serial: i.certificate.serialHex,
                subject: i.certificate.subjectDn,
                issuer: i.certificate.issuerDn,
                keyType: i.certificate.keyDescription,
                notBefore: i.certificate.notBefore,
                notAfter: i.certificate.notAfter,
                selfSigned: i.certificate.selfSigned,
                sha1: i.certificate.sha1,
                sha256: i.certificate.sha256,
              })),
              null,
              2,
            ),
          );
        }
        out(
          io,
          table(
            ['Certificate', 'Common Name', 'Type', 'Key Type', 'Issued By', 'Expiration', 'Description'],
            ids.map((i) => [
              IDENTITIES[i.name].purpose,
              i.certificate.subject.find((a) => a.type === 'CN')?.value,
              i.certificate.selfSigned ? 'Self-signed' : 'CA-signed',
              i.certificate.keyDescription,
              i.certificate.issuer.find((a) => a.type === 'CN')?.value,
              i.certificate.notAfter.toISOString().slice(0, 10),
              IDENTITIES[i.name].description,
            ]),
          ),
        );
        const e = describeCapfExpiry(ctx);
        if (e.level !== 'ok') err(io, `WARNING: ${e.message}`);
      });
    });
  cert
    .command('show')
    .description(
      'Certificate Details: version, serial, signature algorithm, validity, subject, issuer, key, fingerprints',
    )
    .argument('<name>', Object.keys(IDENTITIES).join(' | '))
    .option('--json', 'JSON output')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      await withServices(io, o, ['identities', 'clock', 'config'], async (ctx) => {
        const c = ctx.identities.get(id).certificate;
        const e = id === 'capf' ? describeCapfExpiry(ctx) : null;
        if (o.json) {
          const { der: _der, ...rest } = c;
          return out(io, JSON.stringify({ name: id, ...rest, expiry: e }, null, 2));
        }
        out(io, certificateDetails(id, IDENTITIES[id].purpose, c, e && e.level !== 'ok' ? e.message : undefined));
      });
    });
  cert
    .command('regenerate')
    .description(
      'generate a new key and self-signed certificate for each NAME, in order (the old one is kept as ' +
        '<name>.previous). CAPF: phones need a new ITL, and 802.1X/VPN must trust the new CA. tftp and ' +
        'itlrecovery (the two ITL signers) are refused together, or while a change would strand phones; ' +
        'prefer `opencapf itl rotate` for tftp',
    )
    .argument('<names...>', Object.keys(IDENTITIES).join(' | '))
    .option('--force', 'regenerate even when phones would be stranded (the audit row records forced: true)')
    .action(async (names: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const ids = names.map(identityArg);
      await withServices(io, o, ['trustAdmin'], async (ctx) => {
        const done = await ctx.trustAdmin.regenerateIdentities(ids, actor(io), { force: o.force === true });
        for (const n of done)
          out(
            io,
            `${n.name}: regenerated; new serial ${n.certificate.serialHex}, ` +
              `valid to ${n.certificate.notAfter.toISOString()}`,
          );
        if (ids.includes('capf'))
          out(
            io,
            'Note: existing LSCs stay valid until they expire, but RADIUS/VPN trust ' +
              'stores must now hold the new CAPF certificate (opencapf cert export capf).',
          );
        if (ids.includes('tftp'))
          out(
            io,
            'Note: ITLRecovery signs the ITL for itl.transitionHours; reset the phones within that window ' +
              '(opencapf itl rotate stages the next change so the phones hold the new certificate first).',
          );
      });
    });
  cert
    .command('csr')
    .description('Generate CSR for a certificate authority to sign')
    .argument('<name>')
    .option('--out <file>', 'write the CSR here (default: print it)')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      await withServices(io, o, ['trustAdmin'], async (ctx) => {
        const csr = await ctx.trustAdmin.createCsr(id, actor(io));
        if (o.out) {
          writeFileSync(String(o.out), csr);
          out(io, `wrote ${String(o.out)}`);
        } else out(io, csr);
      });
    });
  cert
    .command('import')
    .description(
      'Upload Certificate/Certificate chain: a CA-signed certificate ' +
        '(PEM, leaf first, then its chain) for the existing key',
    )
    .argument('<name>')
    .argument('<file>')
    .action(async (name: string, file: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      const pem = readFileSync(file, 'utf8');
      await withServices(io, o, ['trustAdmin'], async (ctx) => {
        const n = await ctx.trustAdmin.importCertificate(id, pem, actor(io));
        out(
          io,
          `${id}: imported ${n.certificate.subjectDn}, issued by ` +
            `${n.certificate.issuerDn}, chain of ${n.chain.length + 1}`,
        );
      });
    });
  cert
    .command('export')
    .description('Download .PEM/.DER: the certificate (for FreeRADIUS ca_file, ISE, ASA trustpoints)')
    .argument('<name>')
    .addOption(new Option('--format <format>', 'pem or der').choices(['pem', 'der']).default('pem'))
    .option(
      '--bundle',
      'capf only, PEM: the trust bundle (current CAPF certificate, its chain, and the previous one during a rollover)',
    )
    .option('--out <file>', 'write to a file (default: standard output)')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      await withServices(io, o, ['identities', 'revocation'], async (ctx) => {
        const loaded = ctx.identities.get(id);
        if (o.bundle && (id !== 'capf' || o.format === 'der'))
          throw new AppError('ERR_BAD_REQUEST', '--bundle is for capf in PEM (DER holds one certificate)');
        const data = o.bundle
          ? Buffer.from(ctx.revocation.trustBundle().pem)
          : o.format === 'der'
            ? pemToDer(loaded.certPem)
            : Buffer.from(loaded.certPem);
        if (o.out) {
          writeFileSync(String(o.out), data);
          out(io, `wrote ${String(o.out)}`);
        } else io.stdout.write(data);
      });
    });
}
