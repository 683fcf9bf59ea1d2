// Owns password hashing (scrypt, parameters stored with the hash), the password rules and generated passwords.

import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../shared/errors.ts';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;
const SCRYPT_MAXMEM = 64 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (e, k) => (e ? reject(e) : resolve(k))),
  );
}

/** `scrypt$N$r$p$<salt>$<key>` (base64); N is the cost (tests may lower it). */
export async function hashPassword(password: string, N = 16384): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r: 8, p: 1, maxmem: SCRYPT_MAXMEM });
  return `scrypt$${N}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const opts = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT_MAXMEM };
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, opts);
  return timingSafeEqual(got, expected);
}

export function randomPassword(): string {
  return randomBytes(15).toString('base64url');
}

/** Refuses a password outside the length rule (ERR_BAD_REQUEST). */
export function checkPassword(pw: string): void {
  if (typeof pw !== 'string' || pw.length < PASSWORD_MIN || pw.length > PASSWORD_MAX) {
    throw new AppError('ERR_BAD_REQUEST', `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
}
