// Who a request is: the identity types every layer above auth uses, and the one way to
// get the user of an HTTP or upgrade request.
import { selectTokenProtocol, tokenFrom } from './token-from.js';
import type { TokenService } from './tokens.js';

export interface AuthenticatedUser {
  id: string;
  username: string;
}

/** A verified token: its user, and when it stops being valid. */
export interface Identity {
  user: AuthenticatedUser;
  /** When the token expires (ms since the epoch); null when it does not say. */
  expiresAt: number | null;
}

/** The platform's accounts, as modules may look them up. */
export interface UserDirectory {
  /** Case-insensitive, like the unique index; null when nobody has that name. */
  findByUsername(username: string): Promise<AuthenticatedUser | null>;
}

/** What auth needs of a request: Fastify's requests and the engine's upgrade requests both fit. */
export interface RequestLike {
  /** The request target, query included ("/api/me?token=…"). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Authenticator {
  /**
   * The identity of a request's token (`?token=` first, then `Authorization: Bearer`);
   * null when there is none or it is malformed, forged or expired.
   */
  userOf(request: RequestLike): Promise<Identity | null>;
  /** Whether the request carries a token at all (valid or not). */
  hasToken(request: RequestLike): boolean;
  /** The subprotocol to answer to an upgrade that may carry its token as one (RFC 6455 echo). */
  selectProtocol(offered: string[]): string | undefined;
  /** The user of a bare token, or null. */
  verifyToken(token: string | undefined): Promise<AuthenticatedUser | null>;
}

export function createAuthenticator(tokens: TokenService): Authenticator {
  return {
    userOf: (request) => tokens.identify(tokenOf(request)),
    hasToken: (request) => tokenOf(request) !== undefined,
    selectProtocol: selectTokenProtocol,
    verifyToken: (token) => tokens.verify(token),
  };
}

function tokenOf(request: RequestLike): string | undefined {
  const at = request.url.indexOf('?');
  const query = new URLSearchParams(at < 0 ? '' : request.url.slice(at + 1));
  return tokenFrom(query, request.headers);
}
