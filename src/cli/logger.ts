// The process logger: pino. JSON lines on stdout for log collectors; when stdout is a
// terminal (someone running it by hand), pino-pretty's readable lines instead.
// RINGSIDE_LOG_FORMAT=json or =pretty overrides the guess.
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  isTty = process.stdout.isTTY,
): LogFormat {
  const given = env.RINGSIDE_LOG_FORMAT;
  if (given === 'json' || given === 'pretty') return given;
  return isTty ? 'pretty' : 'json';
}

export function createLogger(level = 'info', format: LogFormat = logFormat()): Logger {
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (format === 'json') return pino(options);
  // Synchronous, in this thread: a line is on the terminal before the process exits.
  return pino(options, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l' }));
}
