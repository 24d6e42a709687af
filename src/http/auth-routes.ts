// POST /api/auth/register, POST /api/auth/login, GET /api/me.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  burnPasswordCheck,
  hashPassword,
  LoginLimiter,
  UsernameTakenError,
  WindowLimiter,
  verifyPassword,
  type AuthenticatedUser,
  type Authenticator,
  type TokenService,
  type UserRepository,
} from '../auth/index.js';
import { HttpError } from './errors.js';

const required = (field: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined ? `${field} is required` : `${field} must be a string`,
  });
const notAnObject = { error: 'body must be a JSON object with username and password' };

// The policy for new accounts. Login checks only the shape: a name or password outside
// the policy simply matches no account (401), it is not a malformed request.
const registration = z.object(
  {
    username: required('username')
      .min(3, { error: 'username must be 3 to 32 characters' })
      .max(32, { error: 'username must be 3 to 32 characters' })
      .regex(/^[A-Za-z0-9_.-]+$/, {
        error: 'username may only contain letters, digits, "_", "." and "-"',
      }),
    password: required('password')
      .min(8, { error: 'password must be 8 to 128 characters' })
      .max(128, { error: 'password must be 8 to 128 characters' }),
  },
  notAnObject,
);
const login = z.object(
  { username: required('username'), password: required('password') },
  notAnObject,
);

/** Longer than any stored name or password could be: no account, and no scrypt over megabytes. */
const LOGIN_FIELD_LIMIT = 1024;

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new HttpError(400, result.error.issues.map((issue) => issue.message).join('; '));
  return result.data;
}

export interface AuthRouteDeps {
  users: UserRepository;
  tokens: TokenService;
  auth: Authenticator;
  loginLimiter: LoginLimiter;
  /** Sign-ups per client address (each costs a scrypt hash and a row). */
  registrationLimiter: WindowLimiter;
}

/** The user of the request's token (`?token=` or Bearer), or a 401. For any REST route that needs one. */
export async function requireUser(
  request: FastifyRequest,
  auth: Authenticator,
): Promise<AuthenticatedUser> {
  const identity = await auth.userOf(request);
  if (!identity) throw new HttpError(401, 'missing, invalid or expired token');
  return identity.user;
}

export function registerAuthRoutes(
  http: FastifyInstance,
  { users, tokens, auth, loginLimiter, registrationLimiter }: AuthRouteDeps,
): void {
  http.post('/api/auth/register', async (request, reply) => {
    const { username, password } = parse(registration, request.body);
    // Counted before the hash: the hash is the cost being limited.
    const waitSeconds = registrationLimiter.hit(request.ip);
    if (waitSeconds > 0) {
      throw new HttpError(429, 'too many sign-ups from this address, try again later', {
        'retry-after': String(waitSeconds),
      });
    }
    let user: AuthenticatedUser;
    try {
      user = await users.create(username, await hashPassword(password));
    } catch (error) {
      if (error instanceof UsernameTakenError) throw new HttpError(409, 'username is taken');
      throw error;
    }
    return reply.code(201).send({ token: await tokens.issue(user), user });
  });

  http.post('/api/auth/login', async (request, reply) => {
    const { username, password } = parse(login, request.body);
    if (username.length > LOGIN_FIELD_LIMIT || password.length > LOGIN_FIELD_LIMIT)
      throw new HttpError(401, 'invalid username or password');
    const waitSeconds = loginLimiter.hit(request.ip, username);
    if (waitSeconds > 0) {
      throw new HttpError(429, 'too many login attempts, try again later', {
        'retry-after': String(waitSeconds),
      });
    }
    const stored = await users.findByUsername(username);
    if (!stored) await burnPasswordCheck(password);
    if (!stored || !(await verifyPassword(password, stored.passwordHash))) {
      throw new HttpError(401, 'invalid username or password');
    }
    const user = { id: stored.id, username: stored.username };
    return reply.code(200).send({ token: await tokens.issue(user), user });
  });

  http.get('/api/me', async (request) => {
    const { id } = await requireUser(request, auth);
    // The token may outlive the account; the store has the last word.
    const stored = await users.findById(id);
    if (!stored) throw new HttpError(401, 'missing, invalid or expired token');
    return { user: { id: stored.id, username: stored.username } };
  });
}
