// The wire types of every protocol, shared by the server (src/apps/*/protocol.ts ties
// its zod schemas to them at compile time) and the SDK (src/client, `import type` only).
// Types only: importing this folder adds nothing at run time.
export type * as arena from './arena.js';
export type * as chat from './chat.js';
export type * as collab from './collab.js';
export type * as runner from './runner.js';
export type { Assert, Equals } from './type-check.js';
