// How a judged submission's failures read on the wire (battle:execution_result's
// `errors`), and the arena error a judge that could not run maps to.
import {
  SandboxBusyError,
  SandboxOwnerLimitError,
  SandboxRequestError,
  SandboxUnavailableError,
  type JudgeResult,
} from '../../sandbox/index.js';
import type { SubmissionError } from '../../protocols/arena.js';
import { ArenaError } from './errors.js';

const MAX_ERRORS = 10;
const MAX_ERROR_MESSAGE = 2000;

/** The sandbox refused or failed: INVALID_CODE, UNAVAILABLE (try again) or INTERNAL_ERROR. */
export function judgeFailure(error: unknown, battleId: string): ArenaError {
  if (error instanceof SandboxOwnerLimitError)
    return new ArenaError('RATE_LIMITED', 'Too many submissions being judged', { battleId });
  if (error instanceof SandboxRequestError)
    return new ArenaError('INVALID_CODE', error.message, { battleId, reason: 'rejected' });
  if (error instanceof SandboxBusyError || error instanceof SandboxUnavailableError)
    return new ArenaError('UNAVAILABLE', 'The judge is busy; submit again shortly', { battleId });
  return new ArenaError('INTERNAL_ERROR', 'The submission could not be judged', { battleId });
}

/**
 * What went wrong, per failing test. A visible test shows its data; a hidden one only
 * its number and verdict (the judge never hands out more about it anyway).
 */
export function errorsOf(result: JudgeResult) {
  const errors: SubmissionError[] = [];
  for (const test of result.results) {
    if (test.passed || test.verdict === 'Not Run') continue;
    if (errors.length >= MAX_ERRORS) break;
    const number = test.index + 1;
    if (test.hidden) {
      errors.push({
        test: number,
        hidden: true,
        verdict: test.verdict,
        message: `${test.verdict} on hidden test ${number}`,
      });
    } else {
      errors.push({
        test: number,
        hidden: false,
        verdict: test.verdict,
        message: clip(
          test.error ?? `Expected ${preview(test.expected)}, got ${preview(test.actual)}`,
        ),
        input: test.input,
        expected: test.expected,
        actual: test.actual,
      });
    }
  }
  if (errors.length === 0 && result.verdict !== 'Accepted') {
    errors.push({
      test: null,
      hidden: false,
      verdict: result.verdict,
      message: clip(result.error ?? result.verdict),
    });
  }
  return errors;
}

/** An error message cut to MAX_ERROR_MESSAGE characters. */
export function clip(text: string): string {
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE)}…` : text;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
