// Runs code in a Web Worker with a time limit; stop() ends a runaway program by
// terminating its worker. The Python worker is kept between runs (Pyodide takes seconds
// to load); a JavaScript run gets a fresh worker.
import type { WorkerReply } from './protocol';

export interface RunResult {
  output: string;
  error: string | null;
}

export interface Run {
  result: Promise<RunResult>;
  stop(): void;
}

export const RUN_LANGUAGES = ['javascript', 'python'] as const;
export const TIME_LIMIT_MS = 5_000;
const LOAD_LIMIT_MS = 120_000;

let pythonWorker: Worker | null = null;

function newWorker(language: string): Worker {
  if (language === 'python') {
    pythonWorker ??= new Worker(new URL('./python-worker.ts', import.meta.url), {
      type: 'module',
    });
    return pythonWorker;
  }
  return new Worker(new URL('./js-worker.ts', import.meta.url), { type: 'module' });
}

export function canRun(language: string): boolean {
  return (RUN_LANGUAGES as readonly string[]).includes(language);
}

export function runInBrowser(language: string, code: string): Run {
  const worker = newWorker(language);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finish: (result: RunResult) => void = () => {};
  const result = new Promise<RunResult>((resolve) => (finish = resolve));

  const end = (outcome: RunResult, kill: boolean) => {
    clearTimeout(timer);
    worker.onmessage = null;
    worker.onerror = null;
    if (kill || language !== 'python') {
      worker.terminate();
      if (worker === pythonWorker) pythonWorker = null;
    }
    finish(outcome);
  };
  const limit = (ms: number, message: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => end({ output: '', error: message }, true), ms);
  };

  limit(LOAD_LIMIT_MS, 'The runtime did not load in time.');
  worker.onmessage = (event: MessageEvent<WorkerReply>) => {
    if (event.data.type === 'ready') {
      limit(TIME_LIMIT_MS, `Stopped: the program ran longer than ${TIME_LIMIT_MS / 1000} s.`);
    } else {
      end({ output: event.data.output, error: event.data.error }, false);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    end({ output: '', error: event.message || 'The runtime failed to start.' }, true);
  };
  worker.postMessage({ code });
  return {
    result,
    stop: () => end({ output: '', error: 'Stopped.' }, true),
  };
}
