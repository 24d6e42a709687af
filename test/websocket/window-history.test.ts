// WindowHistory keeps exactly the last `size` bytes of everything appended, in order,
// whatever the sizes of the pieces (it is the dictionary for the peer's next stream).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowHistory } from '../../src/websocket/window-history.js';

test('window history equals the tail of everything appended, across wrap-arounds', () => {
  let seed = 12345;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (const size of [256, 1024, 32768]) {
    const history = new WindowHistory(size);
    let all = Buffer.alloc(0);
    assert.equal(history.contents().length, 0);
    for (let i = 0; i < 300; i++) {
      // Mostly small pieces, sometimes one larger than the whole window.
      const length = next() % 7 === 0 ? size + (next() % 100) : next() % (size >> 2);
      const piece = Buffer.alloc(length);
      for (let k = 0; k < length; k++) piece[k] = next() & 0xff;
      history.append(piece);
      all = Buffer.concat([all, piece]).subarray(-size);
      assert.ok(history.contents().equals(all), `size ${size}, step ${i}`);
    }
  }
});
