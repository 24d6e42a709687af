// The browser app: the files Vite built into <webDir>/dist (see web/), Pyodide's files for
// in-browser Python at /pyodide/<version>/, and index.html for every client-side route.
// Hashed assets are cached for a year; index.html is revalidated on every load.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

const YEAR_SECONDS = 365 * 24 * 3600;
/** Paths owned by the API and the WebSocket endpoints: never answered with the app. */
const NOT_THE_APP = /^\/(api|ws|v1|appws|devws|healthz|readyz|metrics)(\/|$)/;

/** The built app's folder: <webDir>/dist if it was built there, else <webDir> itself. */
export function builtAppDir(webDir: string): string | null {
  for (const dir of [path.join(webDir, 'dist'), webDir]) {
    if (existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'assets')))
      return dir;
  }
  return null;
}

/** node_modules/pyodide and its version, or null when the package is not installed. */
export function pyodidePackage(): { dir: string; version: string } | null {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('pyodide/package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    return { dir: path.dirname(manifest), version };
  } catch {
    return null;
  }
}

export function registerWebPage(http: FastifyInstance, webDir: string, logger: Logger): void {
  const appDir = builtAppDir(webDir);
  if (!appDir) {
    logger.warn(
      { webDir },
      'the browser app is not built (npm run build:web): "/" will answer 404',
    );
    return;
  }
  const page = readFileSync(path.join(appDir, 'index.html'), 'utf8');
  const sendPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url.split('?')[0] ?? '/';
    // Unknown API paths and missing files stay JSON 404s; anything else is a client route.
    if (NOT_THE_APP.test(url) || /\.[a-z0-9]+$/i.test(url)) {
      return reply.code(404).send({ error: 'not found' });
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  };

  void http.register(fastifyStatic, {
    root: appDir,
    // One route per built file (found at start), so the client-route wildcard below is the
    // fallback and never shadows a file.
    wildcard: false,
    index: false,
    setHeaders(res, filePath) {
      const hashed = filePath.startsWith(path.join(appDir, 'assets') + path.sep);
      res.header(
        'cache-control',
        hashed ? `public, max-age=${YEAR_SECONDS}, immutable` : 'public, max-age=3600',
      );
    },
  });

  const pyodide = pyodidePackage();
  if (pyodide) {
    // The version is in the path, so these files never change under a URL.
    void http.register(fastifyStatic, {
      root: pyodide.dir,
      prefix: `/pyodide/${pyodide.version}/`,
      decorateReply: false,
      index: false,
      allowedPath: (pathName) => !pathName.includes('node_modules'),
      setHeaders(res) {
        res.header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`);
      },
    });
  }

  http.get('/', sendPage);
  http.get('/*', sendPage);
}
