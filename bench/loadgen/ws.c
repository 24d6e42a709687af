/* The client half of RFC 6455 that the load generator needs: masked frames out,
 * and a streaming reader for the server's (unmasked) frames that never copies a
 * data payload, only hands slices of it to the mode. */
#include <stdio.h>
#include <string.h>

#include "loadgen.h"

size_t ws_frame_len(size_t payload_len) {
  size_t header = payload_len < 126 ? 2 : payload_len <= 0xffff ? 4 : 10;
  return header + 4 + payload_len;
}

size_t ws_encode_frame(uint8_t *out, int opcode, const uint8_t *payload, size_t len,
                       const uint8_t mask[4]) {
  size_t i = 0;
  out[i++] = (uint8_t)(0x80 | (opcode & 0x0f));
  if (len < 126) {
    out[i++] = (uint8_t)(0x80 | len);
  } else if (len <= 0xffff) {
    out[i++] = 0x80 | 126;
    out[i++] = (uint8_t)(len >> 8);
    out[i++] = (uint8_t)len;
  } else {
    out[i++] = 0x80 | 127;
    for (int s = 56; s >= 0; s -= 8) out[i++] = (uint8_t)((uint64_t)len >> s);
  }
  memcpy(out + i, mask, 4);
  i += 4;
  for (size_t k = 0; k < len; k++) out[i + k] = payload[k] ^ mask[k & 3];
  return i + len;
}

static int header_complete(pool *p, conn *c) {
  ws_reader *r = &c->rd;
  uint8_t b0 = r->hdr[0], b1 = r->hdr[1];
  r->fin = b0 >> 7;
  r->opcode = b0 & 0x0f;
  if (b0 & 0x70) {
    pool_error(p, c, "server frame has RSV bits set (first byte 0x%02x)", b0);
    return -1;
  }
  if (b1 & 0x80) {
    pool_error(p, c, "server frame is masked (second byte 0x%02x)", b1);
    return -1;
  }
  uint64_t len = b1 & 0x7f;
  if (len == 126) {
    len = ((uint64_t)r->hdr[2] << 8) | r->hdr[3];
  } else if (len == 127) {
    len = 0;
    for (int k = 2; k < 10; k++) len = (len << 8) | r->hdr[k];
    if (len >> 63) {
      pool_error(p, c, "server frame length has the top bit set");
      return -1;
    }
  }
  int op = r->opcode;
  if (op >= 8) {
    if (op > 10) {
      pool_error(p, c, "server sent reserved control opcode %d", op);
      return -1;
    }
    if (!r->fin || len > 125) {
      pool_error(p, c, "server sent a bad control frame (opcode %d, fin %d, length %llu)", op,
                 r->fin, (unsigned long long)len);
      return -1;
    }
    r->ctl_len = 0;
  } else if (op == 0) {
    if (!r->msg_opcode) {
      pool_error(p, c, "server sent a continuation frame with no message in progress");
      return -1;
    }
  } else if (op == 1 || op == 2) {
    if (r->msg_opcode) {
      pool_error(p, c, "server started a new message inside a fragmented one");
      return -1;
    }
    r->msg_opcode = (uint8_t)op;
    r->msg_off = 0;
  } else {
    pool_error(p, c, "server sent reserved data opcode %d", op);
    return -1;
  }
  r->remaining = len;
  r->in_payload = 1;
  return 0;
}

static int frame_complete(pool *p, conn *c) {
  ws_reader *r = &c->rd;
  r->in_payload = 0;
  r->hlen = 0;
  r->hneed = 2;
  if (r->opcode == 8) {
    int code = r->ctl_len >= 2 ? (r->ctl[0] << 8) | r->ctl[1] : -1;
    pool_error(p, c, "server sent close frame, code %d, reason \"%.*s\"", code,
               r->ctl_len > 2 ? r->ctl_len - 2 : 0, (const char *)r->ctl + 2);
    return -1;
  }
  if (r->opcode == 9) {  /* ping: answer with a pong carrying the same payload */
    uint8_t frame[256];
    size_t n = ws_encode_frame(frame, 10, r->ctl, r->ctl_len, c->mask);
    pool_queue(p, c, frame, n);
    return 0;
  }
  if (r->opcode == 10) return 0;  /* unsolicited pong: ignored */
  if (!r->fin) return 0;          /* more fragments of this message to come */
  int op = r->msg_opcode;
  uint64_t len = r->msg_off;
  r->msg_opcode = 0;
  r->msg_off = 0;
  c->received++;
  return p->h.on_message ? p->h.on_message(p, c, op, len) : 0;
}

int ws_feed(pool *p, conn *c, const uint8_t *buf, size_t n) {
  ws_reader *r = &c->rd;
  if (r->hneed == 0) r->hneed = 2;
  while (n > 0 || (r->in_payload && r->remaining == 0)) {
    if (!r->in_payload) {
      while (r->hlen < r->hneed && n > 0) {
        r->hdr[r->hlen++] = *buf++;
        n--;
        if (r->hlen == 2) {
          uint8_t l7 = r->hdr[1] & 0x7f;
          r->hneed = (uint8_t)(2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + ((r->hdr[1] & 0x80) ? 4 : 0));
        }
      }
      if (r->hlen < r->hneed) return 0;  /* header split across reads */
      if (header_complete(p, c) < 0) return -1;
      continue;
    }
    if (r->remaining > 0) {
      size_t take = n < r->remaining ? n : (size_t)r->remaining;
      if (r->opcode >= 8) {
        memcpy(r->ctl + r->ctl_len, buf, take);
        r->ctl_len = (uint8_t)(r->ctl_len + take);
      } else {
        if (p->h.on_payload && p->h.on_payload(p, c, buf, take, r->msg_off) < 0) return -1;
        r->msg_off += take;
      }
      buf += take;
      n -= take;
      r->remaining -= take;
    }
    if (r->remaining == 0 && frame_complete(p, c) < 0) return -1;
  }
  return 0;
}
