// Validation and normalisation of run and judge requests (they come from
// users over the network, so every field is checked before a worker sees it).
import { isIPv6 } from 'node:net';
import { SandboxRequestError } from './errors.js';
import { INTERNAL, type ResolvedOwner } from './fair-queue.js';
import type {
  JobClass,
  JudgeRequest,
  JudgeTest,
  Language,
  RunRequest,
  SandboxDefaults,
  SandboxLimits,
  SandboxOwner,
} from './types.js';

const MiB = 1024 * 1024;
/** The Python interpreter alone needs ~12 MiB of its heap; below this nothing useful runs. */
const MIN_MEMORY_LIMIT_MB = 32;
const FUNCTION_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/;

export interface NormalizedLimits {
  timeoutMs: number;
  memoryLimitBytes: number;
  outputLimitBytes: number;
}

function language(value: unknown): Language {
  if (value === 'python' || value === 'javascript') return value;
  throw new SandboxRequestError(`language must be 'python' or 'javascript'`);
}

function code(value: unknown, limits: SandboxLimits): string {
  if (typeof value !== 'string') throw new SandboxRequestError('code must be a string');
  if (Buffer.byteLength(value, 'utf8') > limits.maxCodeBytes) {
    throw new SandboxRequestError(`code is larger than ${limits.maxCodeBytes} bytes`);
  }
  return value;
}

function bounded(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SandboxRequestError(`${name} must be a positive number`);
  }
  if (value > max) throw new SandboxRequestError(`${name} may be at most ${max}`);
  return value;
}

function commonLimits(
  req: { timeoutMs?: unknown; memoryLimitMb?: unknown; outputLimitBytes?: unknown },
  defaults: SandboxDefaults,
  limits: SandboxLimits,
): NormalizedLimits {
  return {
    timeoutMs: Math.ceil(
      bounded('timeoutMs', req.timeoutMs, defaults.timeoutMs, limits.maxTimeoutMs),
    ),
    memoryLimitBytes: Math.ceil(
      Math.max(
        MIN_MEMORY_LIMIT_MB,
        bounded(
          'memoryLimitMb',
          req.memoryLimitMb,
          defaults.memoryLimitMb,
          limits.maxMemoryLimitMb,
        ),
      ) * MiB,
    ),
    outputLimitBytes: Math.ceil(
      bounded(
        'outputLimitBytes',
        req.outputLimitBytes,
        defaults.outputLimitBytes,
        limits.maxOutputLimitBytes,
      ),
    ),
  };
}

export interface NormalizedRun extends NormalizedLimits {
  language: Language;
  code: string;
  stdin: string;
}

export function normalizeRun(
  req: RunRequest,
  defaults: SandboxDefaults,
  limits: SandboxLimits,
): NormalizedRun {
  if (typeof req !== 'object' || req === null)
    throw new SandboxRequestError('request must be an object');
  const stdin = req.stdin ?? '';
  if (typeof stdin !== 'string') throw new SandboxRequestError('stdin must be a string');
  if (Buffer.byteLength(stdin, 'utf8') > limits.maxStdinBytes) {
    throw new SandboxRequestError(`stdin is larger than ${limits.maxStdinBytes} bytes`);
  }
  return {
    language: language(req.language),
    code: code(req.code, limits),
    stdin,
    ...commonLimits(req, defaults, limits),
  };
}

export interface NormalizedJudge extends NormalizedLimits {
  language: Language;
  code: string;
  functionName: string;
  tests: JudgeTest[];
  /** each test's arguments as JSON text, ready for the worker */
  inputs: string[];
}

export function normalizeJudge(
  req: JudgeRequest,
  defaults: SandboxDefaults,
  limits: SandboxLimits,
): NormalizedJudge {
  if (typeof req !== 'object' || req === null)
    throw new SandboxRequestError('request must be an object');
  const functionName = req.function;
  if (typeof functionName !== 'string' || !FUNCTION_NAME.test(functionName)) {
    throw new SandboxRequestError('function must be an identifier or Class.method');
  }
  if (!Array.isArray(req.tests) || req.tests.length === 0) {
    throw new SandboxRequestError('tests must be a non-empty array');
  }
  if (req.tests.length > limits.maxTests)
    throw new SandboxRequestError(`at most ${limits.maxTests} tests`);
  let dataBytes = 0;
  const tests: JudgeTest[] = [];
  const inputs: string[] = [];
  for (const [i, test] of req.tests.entries()) {
    if (typeof test !== 'object' || test === null || !Array.isArray(test.input)) {
      throw new SandboxRequestError(`tests[${i}].input must be an array of arguments`);
    }
    if (!('output' in test)) throw new SandboxRequestError(`tests[${i}].output is missing`);
    let input: string;
    let output: string;
    try {
      input = JSON.stringify(test.input);
      output = JSON.stringify(test.output ?? null);
    } catch {
      throw new SandboxRequestError(`tests[${i}] must be JSON data`);
    }
    dataBytes += input.length + output.length;
    if (dataBytes > limits.maxTestDataBytes) {
      throw new SandboxRequestError(`test data is larger than ${limits.maxTestDataBytes} bytes`);
    }
    // Keep a JSON round-tripped copy, so what is compared is exactly what the guest saw.
    tests.push({
      input: JSON.parse(input) as unknown[],
      output: JSON.parse(output),
      hidden: test.hidden === true,
    });
    inputs.push(input);
  }
  return {
    language: language(req.language),
    code: code(req.code, limits),
    functionName,
    tests,
    inputs,
    ...commonLimits(req, defaults, limits),
  };
}

const MAX_OWNER_KEY_CHARS = 256;

/** The owner a request names, keyed for the scheduler; no owner is the in-process caller. */
export function resolveOwner(owner: SandboxOwner | undefined): ResolvedOwner {
  if (owner === undefined || owner === null)
    return { kind: 'internal', ownerKey: INTERNAL, tenantKey: INTERNAL, address: null };
  if (typeof owner !== 'object') throw new SandboxRequestError('owner must be an object');
  const { kind, key, address } = owner;
  if (kind !== 'user' && kind !== 'anonymous')
    throw new SandboxRequestError(`owner.kind must be 'user' or 'anonymous'`);
  const text = (name: string, value: unknown): string => {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_OWNER_KEY_CHARS)
      throw new SandboxRequestError(`owner.${name} must be a string of 1-256 characters`);
    return value;
  };
  const ownerKey = `${kind}:${text('key', key)}`;
  if (kind === 'user') return { kind, ownerKey, tenantKey: ownerKey, address: null };
  if (address === undefined) return { kind, ownerKey, tenantKey: ownerKey, address: null };
  const ip = addressGroup(text('address', address));
  return { kind, ownerKey, tenantKey: `address:${ip}`, address: ip };
}

/**
 * The party an address belongs to: an IPv4 address (also when IPv4-mapped), or the
 * /64 of an IPv6 address (one host usually has a whole /64 to pick addresses from).
 */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  const bare = address.split('%')[0]!;
  if (!isIPv6(bare)) return address;
  const [head = '', tail] = bare.split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':'));
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups = [...left, ...Array<string>(8 - width(left) - width(right)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export function jobClass(value: unknown): JobClass {
  if (value === undefined || value === 'run') return 'run';
  if (value === 'judge') return 'judge';
  throw new SandboxRequestError(`class must be 'run' or 'judge'`);
}
