// permessage-deflate (RFC 7692): the server's answer to a client's offers, and the
// per-connection compressor and decompressor, with all zlib work bounded in concurrency
// and every inflated message bounded in size.
import zlib from 'node:zlib';
import { CloseCode, DEFLATE_TRAILER } from './constants.js';
import type { ExtensionOffer } from './extension-header.js';
import { Limiter } from './limiter.js';
import type { MessageInflater } from './receiver.js';
import { WindowHistory } from './window-history.js';

export const EXTENSION_NAME = 'permessage-deflate';

export interface DeflateOptions {
  /** Messages shorter than this many bytes are sent uncompressed. */
  threshold: number;
  /** Always ask for no context takeover on our side (saves memory per connection). */
  serverNoContextTakeover: boolean;
  /** Ask the client not to keep context between messages. */
  clientNoContextTakeover: boolean;
  /** Largest LZ77 window we compress with (9-15). */
  serverMaxWindowBits: number;
  /** Largest window we ask the client to use, when it lets us choose (9-15). */
  clientMaxWindowBits: number;
  /** zlib jobs running at once in the whole process. */
  concurrency: number;
  /** zlib memLevel for compression (1-9). */
  memLevel: number;
}

export const DEFAULT_DEFLATE_OPTIONS: DeflateOptions = {
  threshold: 1024,
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
  concurrency: 10,
  memLevel: 8,
};

/** What both sides agreed on. */
export interface DeflateAgreement {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  /** Only when the client offered client_max_window_bits and we answered it. */
  clientMaxWindowBits: number | undefined;
}

const KNOWN = new Set([
  'server_no_context_takeover',
  'client_no_context_takeover',
  'server_max_window_bits',
  'client_max_window_bits',
]);

function parseWindowBits(value: string | true): number | null {
  if (value === true || !/^(8|9|1[0-5])$/.test(value)) return null;
  return Number(value);
}

/**
 * Decides on one offer (RFC 7692 section 7.1): null declines it — an unknown, duplicate
 * or invalid parameter, or a configuration we cannot honour (a server window of 8 bits,
 * which zlib's raw deflate silently turns into 9).
 */
export function acceptOffer(
  offer: ExtensionOffer,
  options: DeflateOptions,
): DeflateAgreement | null {
  const seen = new Set<string>();
  let serverNoContextTakeover = options.serverNoContextTakeover;
  let clientNoContextTakeover = options.clientNoContextTakeover;
  let serverMaxWindowBits = options.serverMaxWindowBits;
  let clientMaxWindowBits: number | undefined;
  for (const [key, value] of offer.params) {
    if (!KNOWN.has(key) || seen.has(key)) return null;
    seen.add(key);
    switch (key) {
      case 'server_no_context_takeover':
        if (value !== true) return null;
        serverNoContextTakeover = true;
        break;
      case 'client_no_context_takeover':
        if (value !== true) return null;
        clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        const bits = parseWindowBits(value);
        if (bits === null || bits === 8) return null;
        serverMaxWindowBits = Math.min(bits, serverMaxWindowBits);
        break;
      }
      case 'client_max_window_bits': {
        const bits = value === true ? 15 : parseWindowBits(value);
        if (bits === null) return null;
        clientMaxWindowBits = Math.min(bits, options.clientMaxWindowBits);
        break;
      }
    }
  }
  return {
    serverNoContextTakeover,
    clientNoContextTakeover,
    serverMaxWindowBits,
    clientMaxWindowBits,
  };
}

/** The first offer of permessage-deflate we can honour, and the response parameters for it. */
export function negotiateDeflate(
  offers: ExtensionOffer[],
  options: DeflateOptions,
): { agreement: DeflateAgreement; response: string } | null {
  for (const offer of offers) {
    if (offer.name !== EXTENSION_NAME) continue;
    const agreement = acceptOffer(offer, options);
    if (agreement === null) continue;
    const params = [EXTENSION_NAME];
    if (agreement.serverNoContextTakeover) params.push('server_no_context_takeover');
    if (agreement.clientNoContextTakeover) params.push('client_no_context_takeover');
    const offeredServerBits = offer.params.some(([k]) => k === 'server_max_window_bits');
    if (offeredServerBits || agreement.serverMaxWindowBits < 15) {
      params.push(`server_max_window_bits=${agreement.serverMaxWindowBits}`);
    }
    if (agreement.clientMaxWindowBits !== undefined && agreement.clientMaxWindowBits < 15) {
      params.push(`client_max_window_bits=${agreement.clientMaxWindowBits}`);
    }
    return { agreement, response: params.join('; ') };
  }
  return null;
}

// One limiter for the whole process: zlib runs on libuv's small thread pool, shared
// by every connection (and by file system work).
let zlibLimiter = new Limiter(DEFAULT_DEFLATE_OPTIONS.concurrency);

/** Sets how many zlib jobs may run at once in this process. */
export function setZlibConcurrency(concurrency: number): void {
  zlibLimiter = new Limiter(Math.max(1, concurrency));
}

function stripTrailer(data: Buffer): Buffer {
  const n = data.length;
  if (
    n >= 4 &&
    data[n - 4] === 0 &&
    data[n - 3] === 0 &&
    data[n - 2] === 0xff &&
    data[n - 1] === 0xff
  ) {
    return data.subarray(0, n - 4);
  }
  return data;
}

/** zlib reported the end of the DEFLATE stream ('end' itself is emitted a tick later). */
function streamEnded(stream: zlib.InflateRaw): boolean {
  const state = (stream as unknown as { _readableState?: { ended?: boolean } })._readableState;
  return stream.readableEnded || state?.ended === true;
}

/**
 * Compresses `data` once with a fresh context, for frames shared by many receivers:
 * a message that back-references nothing before it decodes on any peer's inflater,
 * whatever context that peer keeps.
 */
export function compressStandalone(
  data: Buffer,
  windowBits: number,
  done: (error: Error | null, compressed: Buffer | null) => void,
): void {
  zlibLimiter.run((release) => {
    zlib.deflateRaw(
      data,
      { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH },
      (error, out) => {
        release();
        done(error, error ? null : stripTrailer(out));
      },
    );
  });
}

/**
 * One side's compression state. `inflateFlag` decides which agreed parameters apply to
 * us: a server compresses under the server_* parameters, a client under the client_* ones.
 */
export class PerMessageDeflate implements MessageInflater {
  private deflater: zlib.DeflateRaw | null = null;
  private inflater: zlib.InflateRaw | null = null;
  /** Jobs inside zlib right now; streams are destroyed only once none is. */
  private busy = 0;
  /** Serialises this connection's compressions (the global limiter does not). */
  private readonly compressions = new Limiter(1);
  private disposed = false;
  readonly ownNoContextTakeover: boolean;
  readonly peerNoContextTakeover: boolean;
  readonly ownWindowBits: number;
  readonly canCompress: boolean;
  /** What the peer's messages inflated to, kept while the peer keeps its context. */
  private readonly peerHistory: WindowHistory | null;

  constructor(
    agreement: DeflateAgreement,
    readonly options: DeflateOptions,
    role: 'server' | 'client',
  ) {
    const server = role === 'server';
    this.ownNoContextTakeover = server
      ? agreement.serverNoContextTakeover
      : agreement.clientNoContextTakeover;
    this.peerNoContextTakeover = server
      ? agreement.clientNoContextTakeover
      : agreement.serverNoContextTakeover;
    this.ownWindowBits = server
      ? agreement.serverMaxWindowBits
      : (agreement.clientMaxWindowBits ?? 15);
    // zlib cannot compress within an 8-bit window; sending uncompressed is always allowed.
    this.canCompress = this.ownWindowBits >= 9;
    const peerWindowBits = server
      ? (agreement.clientMaxWindowBits ?? 15)
      : agreement.serverMaxWindowBits;
    this.peerHistory = this.peerNoContextTakeover ? null : new WindowHistory(1 << peerWindowBits);
  }

  /** Compresses one whole message (the trailer removed, RFC 7692 section 7.2.1). */
  compress(data: Buffer, done: (error: Error | null, compressed: Buffer | null) => void): void {
    if (this.ownNoContextTakeover) {
      compressStandalone(data, this.ownWindowBits, done);
      return;
    }
    // One message at a time through this connection's deflater: two jobs on one zlib
    // stream would each collect the other's output.
    this.compressions.run((next) =>
      this.compressNow(data, (error, compressed) => {
        next();
        done(error, compressed);
      }),
    );
  }

  private compressNow(
    data: Buffer,
    done: (error: Error | null, compressed: Buffer | null) => void,
  ): void {
    zlibLimiter.run((release) => {
      if (this.disposed) {
        release();
        return done(new Error('connection closed'), null);
      }
      this.busy++;
      const deflater = (this.deflater ??= zlib.createDeflateRaw({
        windowBits: this.ownWindowBits,
        memLevel: this.options.memLevel,
      }));
      const out: Buffer[] = [];
      let length = 0;
      const onData = (chunk: Buffer): void => {
        out.push(chunk);
        length += chunk.length;
      };
      const onError = (error: Error): void => finish(error);
      const finish = (error: Error | null): void => {
        deflater.removeListener('data', onData);
        deflater.removeListener('error', onError);
        release();
        this.jobDone();
        if (error) {
          this.deflater = null;
          deflater.destroy();
          done(error, null);
        } else {
          done(null, stripTrailer(out.length === 1 ? out[0]! : Buffer.concat(out, length)));
        }
      };
      deflater.on('data', onData);
      deflater.on('error', onError);
      deflater.write(data);
      deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => finish(null));
    });
  }

  /** Inflates one message; more than `maxBytes` of output fails with 1009 and stops zlib at once. */
  inflate(
    pieces: Buffer[],
    maxBytes: number,
    done: (error: { code: number; reason: string } | null, data: Buffer | null) => void,
  ): void {
    zlibLimiter.run((release) => {
      if (this.disposed) {
        release();
        return done({ code: CloseCode.GoingAway, reason: 'connection closed' }, null);
      }
      this.busy++;
      // Always inflate with the largest window: it decodes any smaller one too. After a
      // message that ended the DEFLATE stream, a new stream starts from the peer's window.
      const inflater = (this.inflater ??= zlib.createInflateRaw(
        this.peerHistory === null
          ? { windowBits: 15 }
          : { windowBits: 15, dictionary: this.peerHistory.contents() },
      ));
      const consumedBefore = inflater.bytesWritten;
      let input = 0;
      for (const piece of pieces) input += piece.length;
      const out: Buffer[] = [];
      let length = 0;
      let finished = false;
      const finish = (error: { code: number; reason: string } | null): void => {
        if (finished) return;
        finished = true;
        inflater.removeListener('data', onData);
        inflater.removeListener('error', onError);
        release();
        this.jobDone();
        // A message may end the DEFLATE stream with a BFINAL block (RFC 7692 section
        // 7.2.3.4); zlib then takes nothing more, and only our trailer may be left over.
        const ended = error === null && streamEnded(inflater);
        if (ended && inflater.bytesWritten - consumedBefore < input) {
          error = { code: CloseCode.InvalidPayload, reason: 'data after the final DEFLATE block' };
        }
        if (error || ended) {
          // A failed stream may hold half-processed input, an ended one takes no more:
          // throw it away with its memory.
          this.inflater = null;
          inflater.removeAllListeners('end');
          inflater.on('error', () => {});
          inflater.destroy();
          if (error) return done(error, null);
        } else if (this.peerNoContextTakeover) {
          inflater.reset();
        }
        if (this.peerHistory !== null) for (const chunk of out) this.peerHistory.append(chunk);
        done(null, out.length === 1 ? out[0]! : Buffer.concat(out, length));
      };
      const onData = (chunk: Buffer): void => {
        length += chunk.length;
        if (length > maxBytes)
          return finish({ code: CloseCode.MessageTooBig, reason: 'message too big' });
        out.push(chunk);
      };
      const onError = (): void =>
        finish({ code: CloseCode.InvalidPayload, reason: 'invalid compressed data' });
      inflater.on('data', onData);
      inflater.on('error', onError);
      for (const piece of pieces) inflater.write(piece);
      inflater.write(DEFLATE_TRAILER);
      inflater.flush(() => finish(null));
    });
  }

  private jobDone(): void {
    this.busy--;
    if (this.disposed && this.busy === 0) this.destroyStreams();
  }

  /** Frees zlib's memory (once no job is inside zlib); safe to call twice. */
  dispose(): void {
    this.disposed = true;
    if (this.busy === 0) this.destroyStreams();
  }

  private destroyStreams(): void {
    for (const stream of [this.deflater, this.inflater]) {
      if (stream) {
        stream.on('error', () => {});
        stream.destroy();
      }
    }
    this.deflater = null;
    this.inflater = null;
  }
}
