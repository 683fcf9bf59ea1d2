// Owns wiring the migration kit (migration/) to the sockets its check needs: the old cluster's ITLFile.tlv over
// TFTP (as a phone fetches it) and a TVS question over TLS 2445 (tvs/client.ts), with the certificate the TVS
// presented captured for the check.

import { tftpGet, TftpClientError } from '../provisioning/tftp/index.ts';
import { tvsVerify, TvsRole } from '../tvs/index.ts';
import type { MigrationCheckPorts } from '../migration/index.ts';

export function migrationCheckPorts(timeoutMs = 3000): MigrationCheckPorts {
  return {
    async fetchItl(server) {
      try {
        return await tftpGet({
          host: server.host,
          port: server.port,
          filename: 'ITLFile.tlv',
          timeoutMs: Math.min(1000, timeoutMs),
          retries: 3,
          blksize: 1428,
        });
      } catch (e) {
        if (e instanceof TftpClientError && e.kind === 'remote' && e.tftpCode === 1) return null;
        throw e;
      }
    },
    async askTvs(tvs, certificateDer) {
      let presented: Buffer | null = null;
      const r = await tvsVerify({
        host: tvs.host,
        port: tvs.port,
        certDer: certificateDer,
        timeoutMs,
        // The check judges the TVS certificate itself (against the old ITL), after the answer.
        checkServerCertificate: (der) => {
          presented = Buffer.from(der);
          return true;
        },
      });
      if (!presented) throw new Error(`TVS ${tvs.host}:${tvs.port} presented no certificate`);
      return { trusted: r.trusted, sast: r.roles.includes(TvsRole.SAST), serverCertificateDer: presented };
    },
  };
}
