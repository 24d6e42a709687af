// Builds the command line of a sandbox worker process: Node's permission model
// with read access to nothing but the worker's own code and its runtime's
// package files, no child processes, no worker threads, no writes, no native
// addons, no code generation from strings; optionally inside a fresh network
// namespace (no interfaces at all) when `unshare` is available.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Language } from './worker/messages.js';

export interface RuntimeFiles {
  /** the directory holding the worker's compiled code */
  workerDir: string;
  workerScript: string;
  /** passed to the worker as --runtime-path */
  runtimePath: Record<Language, string>;
  /** directories each language's worker may read */
  readDirs: Record<Language, string[]>;
}

/** The root directory of an installed package (its package.json may not be exported). */
function packageDir(req: NodeRequire, name: string): string {
  let dir = path.dirname(req.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
      };
      if (pkg.name === name) return dir;
    } catch {
      // no package.json here
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the directory of package ${name}`);
    dir = parent;
  }
}

export function resolveRuntimeFiles(): RuntimeFiles {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const workerDir = path.join(here, 'worker');
  const req = createRequire(import.meta.url);
  const pyodideDir = packageDir(req, 'pyodide');
  const quickjsDir = packageDir(req, 'quickjs-emscripten');
  const quickjsEntry = req.resolve('quickjs-emscripten');
  const quickjsReq = createRequire(quickjsEntry);
  const coreDir = packageDir(quickjsReq, 'quickjs-emscripten-core');
  const variantDir = packageDir(quickjsReq, '@jitl/quickjs-wasmfile-release-sync');
  const ffiTypesDir = packageDir(
    createRequire(path.join(coreDir, 'package.json')),
    '@jitl/quickjs-ffi-types',
  );

  return {
    workerDir,
    workerScript: path.join(workerDir, 'main.js'),
    runtimePath: { python: pyodideDir, javascript: quickjsEntry },
    readDirs: {
      python: [pyodideDir],
      javascript: [quickjsDir, coreDir, variantDir, ffiTypesDir],
    },
  };
}

export interface WorkerCommand {
  command: string;
  args: string[];
}

export interface WorkerCommandOptions {
  language: Language;
  files: RuntimeFiles;
  maxMemoryLimitBytes: number;
  defaultMemoryLimitBytes: number;
  /** e.g. ['/usr/bin/unshare', '--net', '--map-root-user', '--'] */
  prefix: string[];
}

/** V8 heap of a worker (the guest's memory lives in wasm memory, outside this). */
const HEAP_MB: Record<Language, number> = { python: 256, javascript: 128 };

export function workerCommand(options: WorkerCommandOptions): WorkerCommand {
  const { language, files } = options;
  const readable = [files.workerDir, ...files.readDirs[language]];
  const nodeArgs = [
    '--experimental-permission',
    ...readable.map((dir) => `--allow-fs-read=${dir.endsWith(path.sep) ? dir : dir + path.sep}`),
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${HEAP_MB[language]}`,
    // Deep guest recursion runs on V8's native stack (wasm frames); 6 MB stays
    // inside the usual 8 MB main-thread stack and holds Python's recursion cap
    // (20,000) and QuickJS's 1 MiB stack limit with room to spare.
    '--stack-size=6000',
    '--no-warnings',
    files.workerScript,
    '--language',
    language,
    '--runtime-path',
    files.runtimePath[language],
    '--max-memory-bytes',
    String(options.maxMemoryLimitBytes),
    '--default-memory-bytes',
    String(options.defaultMemoryLimitBytes),
  ];
  if (options.prefix.length === 0) return { command: process.execPath, args: nodeArgs };
  const [command, ...prefixArgs] = options.prefix;
  return { command: command!, args: [...prefixArgs, process.execPath, ...nodeArgs] };
}

function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

/**
 * Node 20's permission model has no network switch, so where the kernel allows
 * it workers start in their own network namespace (only a loopback that is
 * down). Returns the command prefix, or [] when unavailable.
 */
export async function probeNetworkNamespace(): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  const unshare = findExecutable('unshare');
  if (!unshare) return [];
  const prefix = [unshare, '--net', '--map-root-user', '--'];
  const ok = await new Promise<boolean>((resolve) => {
    const child = spawn(unshare, ['--net', '--map-root-user', '--', process.execPath, '-e', '0'], {
      stdio: 'ignore',
      env: {},
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(false);
    }, 5000);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
  return ok ? prefix : [];
}
