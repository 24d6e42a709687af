// A real PostgreSQL for a test file: a throwaway cluster in a temp dir, listening only
// on 127.0.0.1 and a free port, trust auth, fsync off. Start one per test file (a few
// seconds) and stop it in after(). `newDatabase()` gives a test its own empty database
// on the same server.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface Postgres {
  /** postgres://postgres@127.0.0.1:PORT/ringside */
  url: string;
  port: number;
  /** Creates another empty database on the same server and returns its URL. */
  newDatabase(): Promise<string>;
  /** pg_ctl stop -m fast, then removes the cluster's directory. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin dir, or a clear error. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run scripts/ensure-test-deps.sh',
    );
  }
  return path.join(root, versions[0]!, 'bin');
}

let databaseCounter = 0;

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-pg-'));
  const dataDir = path.join(dir, 'data');
  // PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const tool = (name: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args])
      : run(path.join(bin, name), args);

  let started = false;
  const stopNow = (): void => {
    if (!started) return;
    started = false;
    try {
      const args = ['-D', dataDir, '-m', 'immediate', '-w', 'stop'];
      if (asRoot)
        execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...args], {
          stdio: 'ignore',
        });
      else execFileSync(path.join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that dies without after() must not leave a server behind.
  process.once('exit', stopNow);

  try {
    await tool('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const port = await freePort();
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-k ${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
    ].join(' ');
    await tool('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      options,
      'start',
    ]);
    started = true;
    const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const newDatabase = async (): Promise<string> => {
      const name = `ringside_${process.pid}_${++databaseCounter}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    };
    const url = await newDatabase();
    return {
      url,
      port,
      newDatabase,
      async stop() {
        if (!started) return;
        started = false;
        process.removeListener('exit', stopNow);
        try {
          await tool('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    let log = '';
    try {
      log = execFileSync('cat', [path.join(dir, 'log')], { encoding: 'utf8' });
    } catch {
      // no log yet
    }
    stopNow();
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', stopNow);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`could not start PostgreSQL: ${message}${log ? `\n${log}` : ''}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
