/** Pyodide's version, served by ringside at /pyodide/<version>/ (set by vite.config.ts). */
declare const __PYODIDE_VERSION__: string;
