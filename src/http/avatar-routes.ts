// Profile pictures: PUT /api/me/avatar (the image as the body), DELETE /api/me/avatar,
// GET /api/me/avatar ({avatar: url | null}) and GET /api/users/<id>/avatar (the image).
// Files live in <data-dir>/avatars/<userId>.<ext>; the type is checked against the
// file's own first bytes, not only the Content-Type the client claims.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/index.js';
import { HttpError } from './errors.js';

export const MAX_AVATAR_BYTES = 256 * 1024;

const TYPES: Record<string, { ext: string; magic: (b: Buffer) => boolean }> = {
  'image/png': {
    ext: 'png',
    magic: (b) => b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])),
  },
  'image/jpeg': { ext: 'jpg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  'image/gif': { ext: 'gif', magic: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  'image/webp': {
    ext: 'webp',
    magic: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' &&
      b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
};
const BY_EXT = new Map(Object.entries(TYPES).map(([type, { ext }]) => [ext, type]));
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface AvatarDeps {
  dataDir: string;
  auth: Authenticator;
}

/** The stored avatar of a user: its file and type, or null. */
export async function findAvatar(
  dataDir: string,
  userId: string,
): Promise<{ file: string; type: string; mtimeMs: number } | null> {
  if (!USER_ID.test(userId)) return null;
  const dir = path.join(dataDir, 'avatars');
  for (const [ext, type] of BY_EXT) {
    const file = path.join(dir, `${userId}.${ext}`);
    try {
      const info = await stat(file);
      return { file, type, mtimeMs: info.mtimeMs };
    } catch {
      // not this extension
    }
  }
  return null;
}

/** The URL a page shows for a user's avatar (versioned, so a new picture is fetched), or null. */
export async function avatarUrl(dataDir: string, userId: string): Promise<string | null> {
  const found = await findAvatar(dataDir, userId);
  return found ? `/api/users/${userId}/avatar?v=${Math.floor(found.mtimeMs)}` : null;
}

export function registerAvatarRoutes(http: FastifyInstance, { dataDir, auth }: AvatarDeps) {
  const dir = path.join(dataDir, 'avatars');
  const requireUser = async (request: FastifyRequest) => {
    const user = (await auth.userOf(request))?.user;
    if (!user || !USER_ID.test(user.id))
      throw new HttpError(401, 'missing, invalid or expired token');
    return user;
  };
  const removeAll = async (userId: string) => {
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((name) => name.startsWith(`${userId}.`))
        .map((name) => rm(path.join(dir, name), { force: true })),
    );
  };

  void http.register(async (scope) => {
    // Only these routes read images; anything else still gets Fastify's 415.
    scope.addContentTypeParser(
      Object.keys(TYPES),
      { parseAs: 'buffer', bodyLimit: MAX_AVATAR_BYTES },
      (_request, body, done) => done(null, body),
    );

    scope.put('/api/me/avatar', async (request) => {
      const user = await requireUser(request);
      const type = String(request.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim();
      const kind = TYPES[type];
      const body = request.body;
      if (!kind || !Buffer.isBuffer(body))
        throw new HttpError(415, 'send a PNG, JPEG, GIF or WebP image as the body');
      if (body.length === 0) throw new HttpError(400, 'the image is empty');
      if (!kind.magic(body))
        throw new HttpError(400, `the file is not a ${kind.ext.toUpperCase()} image`);
      await mkdir(dir, { recursive: true });
      await removeAll(user.id);
      await writeFile(path.join(dir, `${user.id}.${kind.ext}`), body);
      return { avatar: await avatarUrl(dataDir, user.id) };
    });
  });

  http.delete('/api/me/avatar', async (request) => {
    const user = await requireUser(request);
    await removeAll(user.id);
    return { avatar: null };
  });

  http.get('/api/me/avatar', async (request) => {
    const user = await requireUser(request);
    return { avatar: await avatarUrl(dataDir, user.id) };
  });

  http.get<{ Params: { id: string } }>('/api/users/:id/avatar', async (request, reply) => {
    const found = await findAvatar(dataDir, request.params.id);
    if (!found) throw new HttpError(404, 'no avatar');
    return reply
      .type(found.type)
      .header('cache-control', 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .send(await readFile(found.file));
  });
}
