// Runs one JavaScript program in this worker (a fresh worker per run, so a runaway
// program is ended by terminating the worker). console output is collected.
import { formatValues, type RunRequest, type WorkerReply } from './protocol';

const post = (reply: WorkerReply) => self.postMessage(reply);
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  body: string,
) => () => Promise<unknown>;

self.onmessage = async (event: MessageEvent<RunRequest>) => {
  let output = '';
  const write = (...values: unknown[]) => {
    output += formatValues(values) + '\n';
  };
  for (const name of ['log', 'info', 'warn', 'error', 'debug'] as const) console[name] = write;
  post({ type: 'ready' });
  try {
    await new AsyncFunction(event.data.code)();
    post({ type: 'done', output, error: null });
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    post({ type: 'done', output, error: text });
  }
};
