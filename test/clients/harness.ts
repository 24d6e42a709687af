// What the Python and Go client tests run against: `ringside serve` on a fixed port (so a
// restart comes back at the same address) with the small problem bank of the arena
// tests, plus a control endpoint the client tests call to restart that server. The
// client test suites get the addresses in environment variables:
//   RINGSIDE_TEST_URL      ws://127.0.0.1:PORT (the server)
//   RINGSIDE_TEST_HTTP     http://127.0.0.1:PORT
//   RINGSIDE_TEST_CONTROL  http://127.0.0.1:PORT2 (POST /restart: stop, start again, then 200)
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeTestProblems } from '../apps/arena-client.js';
import type { ServeProcess } from '../helpers/serve-process.js';
import { startServeOnFixedPort } from '../client/support.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ClientTestServer {
  serve: ServeProcess;
  env: Record<string, string>;
  restarts: number;
  stop(): Promise<void>;
}

export async function startClientTestServer(): Promise<ClientTestServer> {
  const problems = writeTestProblems();
  // Battles end by themselves after 30 s, so a client test that stops early leaves none behind.
  const serve = await startServeOnFixedPort(['--problems', problems, '--battle-seconds', '30']);
  const handle: ClientTestServer = { serve, env: {}, restarts: 0, stop: async () => {} };
  let restarting: Promise<unknown> = Promise.resolve();
  const control = http.createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/restart') {
      response.writeHead(404).end();
      return;
    }
    restarting = restarting.then(() =>
      serve.restart().then(
        () => {
          handle.restarts++;
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ port: serve.port }));
        },
        (error: Error) => response.writeHead(500).end(error.message),
      ),
    );
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const controlPort = (control.address() as AddressInfo).port;
  handle.env = {
    RINGSIDE_TEST_URL: serve.wsUrl,
    RINGSIDE_TEST_HTTP: serve.url,
    RINGSIDE_TEST_CONTROL: `http://127.0.0.1:${controlPort}`,
  };
  handle.stop = async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()));
    await serve.stop();
    rmSync(problems, { recursive: true, force: true });
  };
  return handle;
}

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs a program (asynchronously: the control endpoint lives in this process) with
 * stdout and stderr merged; SIGKILL after `timeoutMs`.
 */
export function runTool(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** This process's environment without RINGSIDE_* (a developer's own settings stay out). */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('RINGSIDE_')) env[key] = value;
  return { ...env, ...extra };
}
