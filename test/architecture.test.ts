// The layering rules of docs/ARCHITECTURE.md, checked on the sources: modules reach
// fan-out only through the broker, auth and store never import from the modules, the
// SDK and the wire types stay free of server code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/, run from there; the sources are two folders up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts'))
        out.push({ file: path.relative(ROOT, full), text: readFileSync(full, 'utf8') });
    }
  };
  walk(path.join(ROOT, dir));
  assert.ok(out.length > 0, `no sources under ${dir}`);
  return out;
}

/** Every module specifier a file imports or re-exports, with whether it is type-only. */
function importsOf(text: string): Array<{ from: string; typeOnly: boolean }> {
  const found: Array<{ from: string; typeOnly: boolean }> = [];
  const pattern = /^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms;
  for (const match of text.matchAll(pattern))
    found.push({ from: match[2]!, typeOnly: match[1] !== undefined });
  for (const match of text.matchAll(/^import\s+'([^']+)'/gm))
    found.push({ from: match[1]!, typeOnly: false });
  return found;
}

function resolved(file: string, specifier: string): string {
  return path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier));
}

test('no protocol module touches the engine rooms; fan-out goes through the broker', () => {
  const offences: string[] = [];
  for (const { file, text } of sources('src/apps')) {
    text.split('\n').forEach((line, i) => {
      if (/\.rooms\b|\bserver\.broadcast\(|\bconnection\.(join|leave)\(/.test(line))
        offences.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offences, []);
});

test('auth and store never import from the modules', () => {
  const offences: string[] = [];
  for (const dir of ['src/auth', 'src/store', 'src/broker', 'src/websocket', 'src/sandbox']) {
    for (const { file, text } of sources(dir))
      for (const { from } of importsOf(text))
        if (from.startsWith('.') && resolved(file, from).startsWith('src/apps'))
          offences.push(`${file} imports ${from}`);
  }
  assert.deepEqual(offences, []);
});

test('the SDK imports nothing from the server but types from src/protocols', () => {
  const offences: string[] = [];
  for (const { file, text } of sources('src/client')) {
    for (const { from, typeOnly } of importsOf(text)) {
      if (from.startsWith('node:')) offences.push(`${file} imports ${from}`);
      if (!from.startsWith('.')) continue;
      const target = resolved(file, from);
      if (target.startsWith('src/client')) continue;
      if (target.startsWith('src/protocols') && typeOnly) continue;
      offences.push(`${file} imports ${from}${typeOnly ? ' (type)' : ''}`);
    }
  }
  assert.deepEqual(offences, []);
});

test('wire types depend on nothing', () => {
  const offences: string[] = [];
  for (const { file, text } of sources('src/protocols'))
    for (const { from } of importsOf(text))
      if (!from.startsWith('./')) offences.push(`${file} imports ${from}`);
  assert.deepEqual(offences, []);
});

test('module files stay small, or say why not', () => {
  const long = sources('src/apps')
    .filter(({ text }) => text.split('\n').length > 420)
    .filter(({ text }) => !/^\/\/ Long because/m.test(text))
    .map(({ file, text }) => `${file} (${text.split('\n').length} lines)`);
  assert.deepEqual(long, []);
});
