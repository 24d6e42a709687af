// The JWT signing secret: the configured one, or one generated on first start and kept
// in the data dir (mode 0600) so tokens survive restarts. Nodes that share a
// PostgreSQL database must be given the same secret (--jwt-secret).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SECRET_FILE = 'jwt-secret';

export function loadJwtSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, SECRET_FILE);
  try {
    // 'wx': only one of several processes starting at once creates it; the rest read it.
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 16)
    throw new Error(`${file} holds no usable secret (delete it to make a new one)`);
  return secret;
}
