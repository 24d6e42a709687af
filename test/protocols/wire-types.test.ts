// The wire types in src/protocols tie the server and the SDK together at compile time:
// rename a field there and both the module's server code and the SDK stop compiling.
// The check runs tsc on a copy of src/ (the copy's node_modules is a symlink to ours),
// once as it is (it must compile, or the second run proves nothing) and once with a
// field renamed in chat.ts and one in arena.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository: this file runs as dist/test/protocols/wire-types.test.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const run = promisify(execFile);

let workDir: string;
before(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-wire-types-'));
});
after(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** A copy of src/ with the repository's compiler options; `edit` changes files in it. */
function copyOfSources(name: string, edit: (dir: string) => void = () => {}): string {
  const dir = path.join(workDir, name);
  fs.cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: Record<string, unknown>;
    include: string[];
  };
  config.compilerOptions.noEmit = true;
  // The two modules renamed below, the SDK and what they import (not all of src/: time).
  config.include = ['src/protocols', 'src/client', 'src/apps/chat', 'src/apps/arena'];
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
  // ESM, as the repository's package.json says (NodeNext reads it).
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  edit(dir);
  return dir;
}

/** Renames `field` inside `interface name { … }` of a src/protocols file. */
function renameField(dir: string, file: string, iface: string, field: string, to: string) {
  const target = path.join(dir, 'src/protocols', file);
  const text = fs.readFileSync(target, 'utf8');
  const pattern = new RegExp(`(export interface ${iface} \\{[^}]*?\\n\\s*)${field}(\\??:)`);
  const edited = text.replace(pattern, `$1${to}$2`);
  assert.notEqual(edited, text, `${file}: no field ${field} in interface ${iface}`);
  fs.writeFileSync(target, edited);
}

/** tsc's exit code and the files its errors name (relative to the copy). */
async function typeCheck(dir: string): Promise<{ code: number; files: Set<string>; out: string }> {
  let code = 0;
  let out = '';
  try {
    ({ stdout: out } = await run(
      process.execPath,
      [TSC, '-p', 'tsconfig.json', '--pretty', 'false'],
      {
        cwd: dir,
        timeout: 170_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    ));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; killed?: boolean };
    assert.ok(!failed.killed, 'tsc did not finish in time');
    code = typeof failed.code === 'number' ? failed.code : 1;
    out = failed.stdout ?? '';
  }
  const files = new Set(
    [...out.matchAll(/^(src\/[^(\s]+)\(\d+,\d+\): error TS/gm)].map((m) => m[1]!),
  );
  return { code, files, out };
}

test(
  'a renamed wire field breaks both the server module and the SDK',
  { timeout: 240_000 },
  async (t) => {
    const clean = copyOfSources('clean');
    const renamed = copyOfSources('renamed', (dir) => {
      renameField(dir, 'chat.ts', 'ChatDeleteMessage', 'messageId', 'messageRef');
      renameField(dir, 'arena.ts', 'BattleMatched', 'battleId', 'battleRef');
    });
    // Both at once: the machine has two cores.
    const [asIs, broken] = await Promise.all([typeCheck(clean), typeCheck(renamed)]);

    assert.equal(asIs.code, 0, `the unchanged copy must compile:\n${asIs.out}`);
    assert.equal(asIs.files.size, 0);

    assert.notEqual(broken.code, 0, 'renaming wire fields must fail the build');
    const named = [...broken.files];
    t.diagnostic(`files with errors after the renames: ${named.join(', ')}`);
    const report = `files with errors: ${named.join(', ')}\n${broken.out}`;
    assert.ok(
      named.some((f) => f.startsWith('src/apps/chat/')),
      `chat server: ${report}`,
    );
    assert.ok(named.includes('src/client/chat-client.ts'), `chat SDK: ${report}`);
    assert.ok(
      named.some((f) => f.startsWith('src/apps/arena/')),
      `arena server: ${report}`,
    );
    assert.ok(named.includes('src/client/arena-client.ts'), `arena SDK: ${report}`);
  },
);

test('the compiled SDK imports nothing from outside src/client', () => {
  const dir = path.join(ROOT, 'dist/src/client');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js'));
  assert.ok(files.length > 5, `compiled SDK in ${dir}`);
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const specifiers = [
      ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/gm),
      ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
      ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((m) => m[1]!);
    for (const specifier of specifiers) {
      assert.match(specifier, /^\.\/[a-z-]+\.js$/, `${file} imports ${specifier}`);
    }
  }
});
