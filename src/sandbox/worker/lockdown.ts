// Hardening of the worker's own JavaScript realm (one layer of several; see
// docs/sandbox.md). Runs before any runtime loads and again after it loaded.
import fs from 'node:fs';
import os from 'node:os';

/**
 * Under Node's permission model `process.binding` is refused, but Pyodide
 * asks it for the fs/os constants while loading. Give it exactly those and
 * nothing else.
 */
export function shimProcessBinding(): void {
  const constants = { fs: fs.constants, os: os.constants };
  Object.defineProperty(process, 'binding', {
    value: (name: string) => {
      if (name === 'constants') return constants;
      throw new Error(`process.binding('${name}') is not available in the sandbox`);
    },
    configurable: false,
    writable: false,
  });
}

/** Globals that reach the host, the network or other processes. */
const HOST_GLOBALS = [
  'process',
  'global',
  'fetch',
  'Request',
  'Response',
  'Headers',
  'FormData',
  'WebSocket',
  'EventSource',
  'navigator',
  'BroadcastChannel',
  'MessageChannel',
  'MessagePort',
  'Worker',
  'SharedWorker',
  'require',
  'module',
  'exports',
] as const;

/**
 * Removes host objects from globalThis once the runtime has loaded. The guest
 * has no sanctioned way to reach JavaScript at all; this is for the case it
 * finds one anyway.
 */
export function removeHostGlobals(): string[] {
  const removed: string[] = [];
  const g = globalThis as Record<string, unknown>;
  for (const name of HOST_GLOBALS) {
    if (!(name in g)) continue;
    try {
      delete g[name];
    } catch {
      // non-configurable: shadow it instead
    }
    if (name in g && g[name] !== undefined) {
      try {
        Object.defineProperty(g, name, { value: undefined, configurable: false, writable: false });
      } catch {
        continue;
      }
    }
    removed.push(name);
  }
  return removed;
}
