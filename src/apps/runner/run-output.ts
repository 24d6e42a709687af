// From the sandbox's RunResult to the spec's `output` data, and the debugging detail
// that /devws adds. `output` is what the program printed (stdout, then stderr when it
// wrote any); `error` is null when the run succeeded, else one short line: what
// happened and the guest's own message (the full traceback only on /devws).
import type { Language, RunResult, RunVerdict } from '../../sandbox/index.js';
import type { RunOutput } from './protocol.js';

export interface RunDebug {
  verdict: RunVerdict;
  stdout: string;
  stderr: string;
  /** the sandbox's full error text (traceback, exception with stack, limit), or null */
  traceback: string | null;
  truncated: boolean;
  mode: 'standalone' | 'cluster';
  /** where it ran: always this node until the cluster queue exists */
  executedOn: 'local';
  /** wall-clock ms from the request to the answer, queueing included */
  wallTimeMs: number;
}

const VERDICT_TEXT: Record<Exclude<RunVerdict, 'ok'>, string> = {
  timeout: 'Time limit exceeded',
  memory: 'Memory limit exceeded',
  output_limit: 'Output limit exceeded',
  runtime_error: 'Runtime error',
  compile_error: 'Compilation error',
};

export function toRunOutput(result: RunResult, language: Language): RunOutput {
  return {
    output: result.stderr === '' ? result.stdout : result.stdout + result.stderr,
    error: shortError(result, language),
    executionTime: result.executionTime,
    memoryUsed: result.memoryUsed,
  };
}

export function shortError(result: RunResult, language: Language): string | null {
  if (result.verdict === 'ok') return null;
  const head = VERDICT_TEXT[result.verdict];
  if (result.verdict !== 'runtime_error' && result.verdict !== 'compile_error') return head;
  const message = guestMessage(result.error ?? '', language);
  return message ? `${head}: ${message}` : head;
}

/**
 * The one line a user needs from a traceback: Python's last line (the exception) and
 * the last line number in the submission; JavaScript's first line (`Name: message`)
 * and the line of the innermost `main.js` frame.
 */
export function guestMessage(error: string, language: Language): string {
  const lines = error
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  if (lines.length === 0) return '';
  let message: string;
  let line: string | undefined;
  if (language === 'python') {
    message = lines[lines.length - 1]!.trim();
    for (const l of lines) {
      const m = /File "main\.py", line (\d+)/.exec(l);
      if (m) line = m[1];
    }
  } else {
    message = lines[0]!.trim();
    line = /\(main\.js:(\d+):\d+\)/.exec(error)?.[1];
  }
  if (message.length > 300) message = `${message.slice(0, 300)}…`;
  if (line !== undefined && !/\bline \d+/.test(message)) message += ` (line ${line})`;
  return message;
}

export function runDebug(
  result: RunResult,
  mode: 'standalone' | 'cluster',
  wallTimeMs: number,
): RunDebug {
  return {
    verdict: result.verdict,
    stdout: result.stdout,
    stderr: result.stderr,
    traceback: result.error,
    truncated: result.truncated,
    mode,
    executedOn: 'local',
    wallTimeMs: Math.round(wallTimeMs * 100) / 100,
  };
}
