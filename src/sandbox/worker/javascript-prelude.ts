// JavaScript evaluated inside each fresh QuickJS context before the guest's
// code. It runs in the guest's own interpreter (so formatting costs count
// against the guest's deadline) and only ever receives two host functions:
// `write(fd, text)` and `readLine()`, which append to the run's output buffers
// and read the run's stdin. Nothing else from the host exists in the context.

/** Evaluates to a function taking (write, readLine) that installs console & co. */
export const CONSOLE_PRELUDE = String.raw`(function (write, readLine) {
  'use strict';
  const isArray = Array.isArray;
  const objectKeys = Object.keys;
  const toStr = String;
  const IDENT = /^[A-Za-z_$][\w$]*$/;

  function quote(s) {
    return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n') + "'";
  }

  function format(value, depth, seen) {
    switch (typeof value) {
      case 'string':
        return depth === 0 ? value : quote(value);
      case 'number':
        return Object.is(value, -0) ? '-0' : toStr(value);
      case 'bigint':
        return toStr(value) + 'n';
      case 'undefined':
        return 'undefined';
      case 'boolean':
        return toStr(value);
      case 'symbol':
        return value.toString();
      case 'function':
        return '[Function: ' + (value.name || '(anonymous)') + ']';
    }
    if (value === null) return 'null';
    if (value instanceof Error) {
      return value.stack ? value.name + ': ' + value.message + '\n' + value.stack.replace(/\n$/, '') : toStr(value);
    }
    if (seen.indexOf(value) !== -1) return '[Circular]';
    if (value instanceof Date) return isNaN(value) ? 'Invalid Date' : value.toISOString();
    if (value instanceof RegExp) return toStr(value);
    if (depth > 2) return isArray(value) ? '[Array]' : '[Object]';
    seen.push(value);
    try {
      if (isArray(value)) {
        if (value.length === 0) return '[]';
        const items = [];
        const shown = Math.min(value.length, 100);
        for (let i = 0; i < shown; i++) items.push(format(value[i], depth + 1, seen));
        if (value.length > shown) items.push('... ' + (value.length - shown) + ' more items');
        return '[ ' + items.join(', ') + ' ]';
      }
      if (value instanceof Map) {
        const items = [];
        value.forEach((v, k) => items.push(format(k, depth + 1, seen) + ' => ' + format(v, depth + 1, seen)));
        return 'Map(' + value.size + ') ' + (items.length ? '{ ' + items.join(', ') + ' }' : '{}');
      }
      if (value instanceof Set) {
        const items = [];
        value.forEach((v) => items.push(format(v, depth + 1, seen)));
        return 'Set(' + value.size + ') ' + (items.length ? '{ ' + items.join(', ') + ' }' : '{}');
      }
      const keys = objectKeys(value);
      if (keys.length === 0) return '{}';
      const items = keys.map((k) => (IDENT.test(k) ? k : quote(k)) + ': ' + format(value[k], depth + 1, seen));
      return '{ ' + items.join(', ') + ' }';
    } finally {
      seen.pop();
    }
  }

  function printer(fd) {
    return function () {
      const parts = [];
      for (let i = 0; i < arguments.length; i++) parts.push(format(arguments[i], 0, []));
      write(fd, parts.join(' ') + '\n');
    };
  }

  const console = {
    log: printer(1),
    info: printer(1),
    debug: printer(1),
    error: printer(2),
    warn: printer(2),
  };
  Object.defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true });
  const readline = function () {
    const line = readLine();
    return line === undefined ? null : line;
  };
  Object.defineProperty(globalThis, 'readline', { value: readline, writable: true, configurable: true });
})`;

/**
 * Evaluates to the function the judge uses to turn a returned value into JSON
 * text. Captured before the guest's code runs, so the guest cannot swap
 * JSON.stringify underneath it (it can only affect its own results anyway).
 */
export const TO_JSON_PRELUDE = String.raw`(function () {
  'use strict';
  const stringify = JSON.stringify;
  const isFiniteNumber = Number.isFinite;
  const toStr = String;
  const from = Array.from;
  const fromEntries = Object.fromEntries;
  function replacer(key, value) {
    if (typeof value === 'number' && !isFiniteNumber(value)) return toStr(value);
    if (typeof value === 'bigint') return toStr(value);
    if (value instanceof Set) return from(value);
    if (value instanceof Map) return fromEntries(value);
    return value;
  }
  return function (value) {
    const text = stringify(value, replacer);
    return text === undefined ? 'null' : text;
  };
})()`;

/** Evaluates to `JSON.parse`, captured before the guest runs. */
export const JSON_PARSE_PRELUDE = 'JSON.parse';
