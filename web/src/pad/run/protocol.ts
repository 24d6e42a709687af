// Messages between the page and a run worker.
export interface RunRequest {
  code: string;
}

export type WorkerReply =
  /** The runtime is loaded; the time limit starts now. */
  { type: 'ready' } | { type: 'done'; output: string; error: string | null };

/** console.log-like text of any values. */
export function formatValues(values: unknown[]): string {
  return values
    .map((value) => {
      if (typeof value === 'string') return value;
      if (value instanceof Error) return `${value.name}: ${value.message}`;
      try {
        return JSON.stringify(value) ?? String(value);
      } catch {
        return String(value);
      }
    })
    .join(' ');
}
