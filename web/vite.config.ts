// Builds the browser app into web/dist, which `ringside serve` serves (src/http/web-page.ts).
// `npm run dev:web` serves it from source with the API and WebSockets proxied to a
// running `ringside serve` (RINGSIDE_DEV_TARGET, default http://localhost:8080).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const pyodideVersion = (
  JSON.parse(
    readFileSync(new URL('../node_modules/pyodide/package.json', import.meta.url), 'utf8'),
  ) as { version: string }
).version;
const target = process.env.RINGSIDE_DEV_TARGET ?? 'http://localhost:8080';
const proxied = ['/api', '/ws', '/v1', '/appws', '/devws', '/pyodide', '/healthz'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [preact()],
  resolve: {
    alias: { '@client': fileURLToPath(new URL('../src/client', import.meta.url)) },
  },
  define: { __PYODIDE_VERSION__: JSON.stringify(pyodideVersion) },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  server: {
    proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target, ws: true }])),
  },
});
