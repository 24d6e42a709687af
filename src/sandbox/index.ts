// Sandboxed execution of untrusted Python (Pyodide) and JavaScript (QuickJS).
export { SandboxPool } from './pool.js';
export {
  SandboxError,
  SandboxBusyError,
  SandboxCancelledError,
  SandboxClosedError,
  SandboxOwnerLimitError,
  SandboxRequestError,
  SandboxUnavailableError,
  type SandboxErrorCode,
} from './errors.js';
export { jsonEqual } from './judge.js';
export { DEFAULTS as SANDBOX_DEFAULTS, LIMITS as SANDBOX_LIMITS } from './types.js';
export type * from './types.js';
