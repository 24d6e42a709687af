// JSON's \uXXXX escapes can carry lone UTF-16 surrogates, which have no UTF-8 form:
// a database would store U+FFFD in their place, so what a room was sent and what its
// history returns would differ. Text the modules store must be well-formed.

// `String.prototype.isWellFormed` (Node 20) is newer than the ES2022 library types.
type WellFormedCheck = { isWellFormed(): boolean };

export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedCheck).isWellFormed();
}

/** Whether every string anywhere in a parsed JSON value is well-formed. */
export function isWellFormedDeep(value: unknown): boolean {
  if (typeof value === 'string') return isWellFormed(value);
  if (Array.isArray(value)) return value.every(isWellFormedDeep);
  if (value !== null && typeof value === 'object')
    return Object.values(value).every(isWellFormedDeep);
  return true;
}
