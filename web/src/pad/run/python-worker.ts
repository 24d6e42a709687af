// Runs Python with Pyodide, loaded once per worker from ringside itself
// (/pyodide/<version>/, served from node_modules/pyodide; no CDN).
import { type RunRequest, type WorkerReply } from './protocol';

interface Pyodide {
  setStdout(options: { batched: (text: string) => void }): void;
  setStderr(options: { batched: (text: string) => void }): void;
  runPythonAsync(code: string): Promise<unknown>;
}

const base = `/pyodide/${__PYODIDE_VERSION__}/`;
let runtime: Promise<Pyodide> | null = null;

async function load(): Promise<Pyodide> {
  const module = (await import(/* @vite-ignore */ `${base}pyodide.mjs`)) as {
    loadPyodide(options: { indexURL: string }): Promise<Pyodide>;
  };
  return module.loadPyodide({ indexURL: base });
}

const post = (reply: WorkerReply) => self.postMessage(reply);

self.onmessage = async (event: MessageEvent<RunRequest>) => {
  let output = '';
  try {
    runtime ??= load();
    const py = await runtime;
    py.setStdout({ batched: (text) => (output += text + '\n') });
    py.setStderr({ batched: (text) => (output += text + '\n') });
    post({ type: 'ready' });
    await py.runPythonAsync(event.data.code);
    post({ type: 'done', output, error: null });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    post({ type: 'done', output, error: text.trim() });
  }
};
