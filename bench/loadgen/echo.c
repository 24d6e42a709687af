/* Echo: every connection keeps `window` messages in flight (pipelined); each echo
 * that comes back (checked: opcode, length and every payload byte) lets one more
 * message go. Echoes are counted only inside the measurement window, after the
 * warm-up, so connection set-up and JIT warm-up stay out of the number. */
#include <stdio.h>
#include <string.h>

#include "loadgen.h"

typedef struct {
  const options *o;
  uint8_t *payload;   /* what every echo must carry */
  size_t frame_len;
  int opcode;
} echo_ctx;

static void echo_open(pool *p, conn *c) {
  echo_ctx *e = p->ctx;
  /* the connection's own masked frame, repeated so small frames go out in batches */
  size_t reps = 65536 / e->frame_len;
  if (reps < 1) reps = 1;
  if (reps > (size_t)e->o->window) reps = (size_t)e->o->window;
  c->tx_len = e->frame_len * reps;
  c->tx = xmalloc(c->tx_len);
  ws_encode_frame(c->tx, e->opcode, e->payload, (size_t)e->o->size, c->mask);
  for (size_t r = 1; r < reps; r++) memcpy(c->tx + r * e->frame_len, c->tx, e->frame_len);
  /* nothing is sent until every connection is open (see run_echo) */
}

static int echo_payload(pool *p, conn *c, const uint8_t *data, size_t n, uint64_t off) {
  echo_ctx *e = p->ctx;
  if (off + n > (uint64_t)e->o->size) {
    pool_error(p, c, "echo longer than the %d bytes sent", e->o->size);
    return -1;
  }
  if (memcmp(data, e->payload + off, n) != 0) {
    pool_error(p, c, "echo payload differs from what was sent (in bytes %llu..%llu)",
               (unsigned long long)off, (unsigned long long)(off + n));
    return -1;
  }
  return 0;
}

static int echo_message(pool *p, conn *c, int opcode, uint64_t len) {
  echo_ctx *e = p->ctx;
  if (opcode != e->opcode || len != (uint64_t)e->o->size) {
    pool_error(p, c, "echo has opcode %d and %llu bytes, sent opcode %d and %d bytes", opcode,
               (unsigned long long)len, e->opcode, e->o->size);
    return -1;
  }
  c->owed += e->frame_len;  /* flushed by the read path once this read is parsed */
  return 0;
}

static uint64_t total_received(pool *p) {
  uint64_t t = 0;
  for (int i = 0; i < p->n; i++) t += p->conns[i].received;
  return t;
}

int run_echo(const options *o) {
  echo_ctx e = {.o = o, .opcode = o->text ? 1 : 2};
  e.payload = xmalloc((size_t)o->size);
  for (int i = 0; i < o->size; i++) e.payload[i] = (uint8_t)('a' + i % 26);  /* valid UTF-8 too */
  e.frame_len = ws_frame_len((size_t)o->size);
  handlers h = {.on_open = echo_open, .on_payload = echo_payload, .on_message = echo_message};
  pool p;
  pool_init(&p, o->conns, o->host, o->port, o->path, o->max_connecting, h, &e);

  int ok = pool_open_all(&p, o->connect_timeout_ms);
  /* all connections start together: fill every window at once */
  for (int i = 0; ok && i < p.n; i++) {
    conn *c = &p.conns[i];
    c->owed = (uint64_t)e.frame_len * (uint64_t)o->window;
    if (pool_flush(&p, c) < 0) ok = 0;
  }

  int64_t t_open = now_ns();
  int64_t t_measure = t_open + (int64_t)o->warmup_ms * 1000000;
  int64_t t_end = t_measure + (int64_t)o->duration_ms * 1000000;
  while (ok && now_ns() < t_measure && p.errors == 0) pool_poll(&p, 5);
  uint64_t rx0 = total_received(&p);
  double lg0 = self_cpu_s(), srv0 = proc_cpu_s(o->server_pid);
  int64_t m0 = now_ns();
  while (ok && p.errors == 0) {
    int64_t left = t_end - now_ns();
    if (left <= 0) break;
    pool_poll(&p, (int)(left / 1000000) + 1);
  }
  int64_t m1 = now_ns();
  uint64_t rx1 = total_received(&p);
  double lg1 = self_cpu_s(), srv1 = proc_cpu_s(o->server_pid);

  double secs = (double)(m1 - m0) / 1e9;
  uint64_t sent = 0;
  for (int i = 0; i < p.n; i++) {
    conn *c = &p.conns[i];
    if (c->tx_len) sent += c->received + (uint64_t)o->window - c->owed / e.frame_len;
  }
  uint64_t msgs = rx1 - rx0;
  printf("{\"mode\":\"echo\",\"ok\":%s,\"conns\":%d,\"opened\":%d,\"open_failures\":%d,"
         "\"size\":%d,\"window\":%d,\"opcode\":%d,\"warmup_s\":%.3f,\"measure_s\":%.3f,"
         "\"messages\":%llu,\"msgs_per_s\":%.1f,\"mib_per_s\":%.2f,\"sent_total\":%llu,"
         "\"received_total\":%llu,\"loadgen_cpu\":%.3f,\"server_cpu\":%.3f,\"errors\":%llu,"
         "\"first_error\":\"%s\"}\n",
         ok && p.errors == 0 ? "true" : "false", o->conns, p.opened, p.failed, o->size, o->window,
         e.opcode, (double)(m0 - t_open) / 1e9, secs, (unsigned long long)msgs,
         secs > 0 ? msgs / secs : 0, secs > 0 ? msgs * (double)o->size / secs / 1048576 : 0,
         (unsigned long long)sent, (unsigned long long)rx1, secs > 0.001 ? (lg1 - lg0) / secs : 0,
         srv0 >= 0 && secs > 0.001 ? (srv1 - srv0) / secs : -1, (unsigned long long)p.errors,
         json_escape(p.first_error));
  return ok && p.errors == 0 ? 0 : 1;
}
