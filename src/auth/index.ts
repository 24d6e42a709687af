// Accounts and sessions: what src/app.ts wires into AppContext.auth and the REST API.
export { hashPassword, verifyPassword, burnPasswordCheck } from './passwords.js';
export { createTokenService, type TokenService } from './tokens.js';
export { loadJwtSecret, SECRET_FILE } from './secret.js';
export { RINGSIDE_PROTOCOL, selectTokenProtocol, tokenFrom } from './token-from.js';
export {
  createAuthenticator,
  type Authenticator,
  type AuthenticatedUser,
  type Identity,
  type RequestLike,
  type UserDirectory,
} from './identity.js';
export { LoginLimiter } from './login-limiter.js';
export { WindowLimiter } from './window-limiter.js';
export { UserRepository, userDirectory, UsernameTakenError, type StoredUser } from './users.js';
