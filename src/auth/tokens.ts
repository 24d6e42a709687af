// JWTs for sessions: HS256 (jose), sub = user id, plus the username, with an expiry.
import { jwtVerify, SignJWT } from 'jose';
import type { AuthenticatedUser, Identity } from './identity.js';

const ISSUER = 'ringside';

export interface TokenService {
  issue(user: AuthenticatedUser): Promise<string>;
  /** The token's user and expiry, or null when it is missing, malformed, expired or not ours. */
  identify(token: string | undefined): Promise<Identity | null>;
  /** The token's user alone. */
  verify(token: string | undefined): Promise<AuthenticatedUser | null>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    issue(user) {
      return new SignJWT({ username: user.username })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(key);
    },
    async verify(token) {
      return (await identify(token))?.user ?? null;
    },
    identify,
  };

  async function identify(token: string | undefined): Promise<Identity | null> {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.username !== 'string') return null;
      return {
        user: { id: payload.sub, username: payload.username },
        expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
      };
    } catch {
      return null;
    }
  }
}
