// UTF-8 validation, whole or incremental. The whole-buffer case uses Node's native
// check; the incremental DFA only runs for data that ends mid-sequence or is invalid,
// so a text message split across fragments or TCP chunks fails as soon as its bad
// bytes arrive (RFC 6455 section 8.1, "fail fast").
import { isUtf8 } from 'node:buffer';

const ACCEPT = 0;
const REJECT = 1;

// States: 0 accept, 1 reject, and intermediate states 2..8 per Unicode table 3-7.
// expectContinuation[state] gives the allowed range for the next byte.
const STATE_NEED1 = 2; // one continuation byte 80..BF left
const STATE_NEED2 = 3; // two continuation bytes 80..BF left
const STATE_E0 = 4; // after E0: A0..BF then one more
const STATE_ED = 5; // after ED: 80..9F then one more (no surrogates)
const STATE_F0 = 6; // after F0: 90..BF then two more
const STATE_NEED3 = 7; // after F1..F3: 80..BF then two more
const STATE_F4 = 8; // after F4: 80..8F then two more

function step(state: number, byte: number): number {
  switch (state) {
    case ACCEPT:
      if (byte < 0x80) return ACCEPT;
      if (byte < 0xc2) return REJECT;
      if (byte < 0xe0) return STATE_NEED1;
      if (byte === 0xe0) return STATE_E0;
      if (byte === 0xed) return STATE_ED;
      if (byte < 0xf0) return STATE_NEED2;
      if (byte === 0xf0) return STATE_F0;
      if (byte < 0xf4) return STATE_NEED3;
      if (byte === 0xf4) return STATE_F4;
      return REJECT;
    case STATE_NEED1:
      return byte >= 0x80 && byte <= 0xbf ? ACCEPT : REJECT;
    case STATE_NEED2:
      return byte >= 0x80 && byte <= 0xbf ? STATE_NEED1 : REJECT;
    case STATE_E0:
      return byte >= 0xa0 && byte <= 0xbf ? STATE_NEED1 : REJECT;
    case STATE_ED:
      return byte >= 0x80 && byte <= 0x9f ? STATE_NEED1 : REJECT;
    case STATE_F0:
      return byte >= 0x90 && byte <= 0xbf ? STATE_NEED2 : REJECT;
    case STATE_NEED3:
      return byte >= 0x80 && byte <= 0xbf ? STATE_NEED2 : REJECT;
    case STATE_F4:
      return byte >= 0x80 && byte <= 0x8f ? STATE_NEED2 : REJECT;
    default:
      return REJECT;
  }
}

/** True when `buf` is complete, valid UTF-8. */
export function isValidUtf8(buf: Uint8Array): boolean {
  return buf.length === 0 || isUtf8(buf);
}

/** Validates a byte stream piece by piece; `write` returns false as soon as it is invalid. */
export class Utf8StreamValidator {
  private state = ACCEPT;

  reset(): void {
    this.state = ACCEPT;
  }

  /** Feeds bytes; false once the stream can no longer be valid UTF-8. */
  write(buf: Uint8Array): boolean {
    if (this.state === REJECT) return false;
    if (this.state === ACCEPT && isValidUtf8(buf)) return true;
    let state = this.state;
    for (let i = 0; i < buf.length; i++) {
      state = step(state, buf[i]!);
      if (state === REJECT) break;
    }
    this.state = state;
    return state !== REJECT;
  }

  /** True when everything written so far ends on a complete character. */
  isComplete(): boolean {
    return this.state === ACCEPT;
  }
}
