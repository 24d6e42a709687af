// JSON's \uXXXX escapes can carry lone UTF-16 surrogates, which have no UTF-8 form:
// a database would store U+FFFD in their place, so what a room was sent and what its
// history returns would differ. Text the modules store must be well-formed.

// `String.prototype.isWellFormed` (Node 20) is newer than the ES2022 library types.
type WellFormedCheck = { isWellFormed(): boolean };

export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedCheck).isWellFormed();
}
