// Public surface of provisioning/tftp/: the UDP server, its file sources, and the read client.
export { createTftpServer, DEFAULT_TFTP_LIMITS } from './server.ts';
export type { TftpLogger, TftpServer, TftpServerLimits, TftpServerOptions, TftpServerStats } from './server.ts';
export { createDirectorySource, checkTftpPath } from './directory-source.ts';
export type { DirectorySourceOptions } from './directory-source.ts';
export { createLayeredSource, createMemorySource, isDenied, stripRootSlash } from './source.ts';
export type { TftpDenied, TftpFileSource, TftpOpenResult } from './source.ts';
export { tftpGet, tftpGetDetailed, TftpClientError } from './client.ts';
export type { TftpClientErrorKind, TftpGetOptions, TftpGetResult } from './client.ts';
export { TFTP_ERROR, TFTP_OPCODE, decodePacket, encodePacket } from './packets.ts';
export type { TftpMode, TftpOptions, TftpPacket } from './packets.ts';
export { DEFAULT_MAX_BLKSIZE, DEFAULT_MAX_WINDOW } from './options.ts';
export type { TftpPeer } from './transfer.ts';
