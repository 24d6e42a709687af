// Turns "here is the whole new text" into a ChangeSet: the common prefix and suffix
// are kept and the middle is replaced. One replaced span is enough for the server to
// rebase the edit over concurrent ones; it need not be a minimal diff.
// Line breaks are normalized to "\n", as @codemirror/state's Text stores them.
import { ChangeSet, type Text } from '@codemirror/state';

export function diffToChangeSet(before: Text, text: string): ChangeSet {
  const after = normalizeLineBreaks(text);
  const old = before.toString();
  const limit = Math.min(old.length, after.length);
  let start = 0;
  while (start < limit && old.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < limit - start &&
    old.charCodeAt(old.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++;
  }
  // Never split a surrogate pair between kept and replaced text.
  if (start > 0 && isHighSurrogate(old.charCodeAt(start - 1))) start--;
  if (end > 0 && isLowSurrogate(old.charCodeAt(old.length - end))) end--;
  const from = start;
  const to = old.length - end;
  const insert = after.slice(start, after.length - end);
  if (from === to && insert === '') return ChangeSet.empty(old.length);
  return ChangeSet.of([{ from, to, insert }], old.length);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export function normalizeLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}
