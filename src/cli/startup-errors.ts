// The errors a person starting the server can fix, as one line each: what went wrong
// and where, without a stack trace. Anything else is a bug and keeps its stack.

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
}

const BY_CODE: Record<string, (where: string) => string> = {
  EADDRINUSE: (where) => `${where} is already in use (another server on that port?)`,
  EACCES: (where) => `no permission to listen on ${where} (ports below 1024 need privileges)`,
  EADDRNOTAVAIL: (where) => `${where}: no such address on this machine (check --host)`,
};

/** One line for an error at start the person can act on, or null when it is a bug. */
export function describeStartupError(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const { code, syscall, address, port } = error as SystemError;
  if (syscall === 'listen' && code && BY_CODE[code]) {
    const where = address?.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    return BY_CODE[code](where);
  }
  // Files the data dir or the database need: the message names the path already.
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOSPC' || code === 'ENOTDIR')
    return error.message;
  return null;
}
