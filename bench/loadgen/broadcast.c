/* Broadcast: `conns` subscribers and one publisher on /broadcast. The publisher
 * offers a fixed rate for a fixed time; each message carries its sequence number
 * and send time, so every subscriber can tell a delivery that is late (older than
 * late_ms when it arrives) and, after a bounded drain, how many never came (lost).
 * A rate is "sustained" when nothing was lost or late. deliveries_per_s counts
 * what arrived while the publisher was publishing, over the publishing time. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "loadgen.h"

#define HIST_BUCKETS 100001  /* 0.1 ms buckets up to 10 s, then one overflow bucket */

typedef struct {
  const options *o;
  int64_t late_ns;
  uint64_t delivered, late, gaps, reordered, delivered_while_publishing;
  uint64_t hist[HIST_BUCKETS];
} bcast_ctx;

static bcast_ctx ctx;

static int bcast_payload(pool *p, conn *c, const uint8_t *data, size_t n, uint64_t off) {
  (void)p;
  for (size_t i = 0; i < n && off + i < sizeof c->head; i++) c->head[off + i] = data[i];
  return 0;
}

static uint64_t get_u64(const uint8_t *b) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
  return v;
}

static int bcast_message(pool *p, conn *c, int opcode, uint64_t len) {
  bcast_ctx *b = p->ctx;
  if (opcode != 2 || len != (uint64_t)b->o->size) {
    pool_error(p, c, "broadcast message has opcode %d and %llu bytes, published opcode 2 and %d bytes",
               opcode, (unsigned long long)len, b->o->size);
    return -1;
  }
  if (c->idx == 0) return 0;  /* the publisher's own copy (the sender is included) */
  uint64_t seq = get_u64(c->head);
  int64_t sent_at = (int64_t)get_u64(c->head + 8);
  if (seq < c->next_seq) {
    b->reordered++;
    pool_error(p, c, "message %llu arrived after %llu", (unsigned long long)seq,
               (unsigned long long)c->next_seq - 1);
    return 0;
  }
  if (seq > c->next_seq) b->gaps += seq - c->next_seq;
  c->next_seq = seq + 1;
  int64_t now = now_ns();
  int64_t lat = now - sent_at;
  if (lat > b->late_ns) b->late++;
  int64_t bucket = lat / 100000;
  if (bucket < 0) bucket = 0;
  if (bucket >= HIST_BUCKETS) bucket = HIST_BUCKETS - 1;
  b->hist[bucket]++;
  b->delivered++;
  return 0;
}

static double percentile_ms(const bcast_ctx *b, double q) {
  if (!b->delivered) return -1;
  uint64_t target = (uint64_t)(q * (double)b->delivered), seen = 0;
  if (target >= b->delivered) target = b->delivered - 1;
  for (int i = 0; i < HIST_BUCKETS; i++) {
    seen += b->hist[i];
    if (seen > target) return (i + 1) * 0.1;
  }
  return HIST_BUCKETS * 0.1;
}

/* Reads whatever has arrived, then sleeps to the next tick: each read then takes
 * a tick's worth of deliveries at once instead of one syscall per message, so
 * the load generator stays cheap at millions of deliveries per second (a tick
 * adds at most tick_ms to the measured latency). Returns the next tick. */
static int64_t paced_poll(pool *p, int64_t next_tick, int64_t tick_ns) {
  pool_poll(p, 0);
  int64_t now = now_ns();
  next_tick += tick_ns;
  if (next_tick < now) next_tick = now;  /* behind: no catch-up burst */
  struct timespec ts = {.tv_sec = (next_tick - now) / 1000000000,
                        .tv_nsec = (next_tick - now) % 1000000000};
  nanosleep(&ts, NULL);
  return next_tick;
}

int run_broadcast(const options *o) {
  bcast_ctx *b = &ctx;
  b->o = o;
  b->late_ns = (int64_t)o->late_ms * 1000000;
  handlers h = {.on_payload = bcast_payload, .on_message = bcast_message};
  pool p;
  pool_init(&p, o->conns + 1, o->host, o->port, o->path, o->max_connecting, h, b);
  conn *pub = &p.conns[0];

  int ok = pool_open_all(&p, o->connect_timeout_ms);
  /* let a server that joins the room after its 101 finish doing so */
  int64_t settle_end = now_ns() + (int64_t)o->settle_ms * 1000000;
  while (ok && now_ns() < settle_end) pool_poll(&p, 5);
  int subs_open = 0;
  for (int i = 1; i < p.n; i++) subs_open += p.conns[i].state == C_OPEN;

  uint64_t offered = (uint64_t)o->rate * (uint64_t)o->duration_ms / 1000, published = 0;
  uint8_t payload[65536], frame[65536 + 14];
  int size = o->size < 16 ? 16 : o->size > 65536 ? 65536 : o->size;
  for (int i = 0; i < size; i++) payload[i] = (uint8_t)('a' + i % 26);
  double lg0 = self_cpu_s(), srv0 = proc_cpu_s(o->server_pid);
  int64_t t0 = now_ns();
  const char *stopped = "";
  int64_t tick_ns = (int64_t)o->tick_ms * 1000000, next_tick = t0;
  while (ok && published < offered) {
    if (pub->state != C_OPEN) {
      stopped = "the publisher's connection died";
      break;
    }
    if (pub->q_len - pub->q_off > (16u << 20)) {
      stopped = "the server stopped reading the publisher (16 MiB queued)";
      break;
    }
    int64_t now = now_ns();
    uint64_t due = (uint64_t)((double)(now - t0) * o->rate / 1e9) + 1;
    if (due > offered) due = offered;
    for (; published < due; published++) {
      uint64_t seq = published, at = (uint64_t)now_ns();
      for (int k = 0; k < 8; k++) payload[k] = (uint8_t)(seq >> (8 * k));
      for (int k = 0; k < 8; k++) payload[8 + k] = (uint8_t)(at >> (8 * k));
      size_t n = ws_encode_frame(frame, 2, payload, (size_t)size, pub->mask);
      pool_queue(&p, pub, frame, n);
    }
    pool_flush(&p, pub);
    next_tick = paced_poll(&p, next_tick, tick_ns);
  }
  int64_t t_pub_end = now_ns();
  b->delivered_while_publishing = b->delivered;
  uint64_t expected = published * (uint64_t)subs_open;
  int64_t drain_end = t_pub_end + (int64_t)o->drain_ms * 1000000;
  while (ok && b->delivered < expected && now_ns() < drain_end)
    next_tick = paced_poll(&p, next_tick, tick_ns);
  int64_t t_end = now_ns();
  double lg1 = self_cpu_s(), srv1 = proc_cpu_s(o->server_pid);

  double secs = (double)(t_end - t0) / 1e9;
  double pub_secs = (double)(t_pub_end - t0) / 1e9;
  uint64_t lost = expected > b->delivered ? expected - b->delivered : 0;
  int sustained = ok && !stopped[0] && published == offered && lost == 0 && b->late == 0 &&
                  p.errors == 0 && subs_open == o->conns;
  printf("{\"mode\":\"broadcast\",\"ok\":%s,\"subscribers\":%d,\"subscribers_open\":%d,"
         "\"open_failures\":%d,\"size\":%d,\"rate\":%d,\"duration_s\":%.3f,\"offered\":%llu,"
         "\"published\":%llu,\"publish_s\":%.3f,\"stopped\":\"%s\",\"expected\":%llu,"
         "\"delivered\":%llu,\"lost\":%llu,\"late\":%llu,\"late_ms\":%d,\"tick_ms\":%d,\"gaps\":%llu,"
         "\"deliveries_per_s\":%.1f,\"latency_ms\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f},"
         "\"sustained\":%s,\"loadgen_cpu\":%.3f,\"server_cpu\":%.3f,\"errors\":%llu,",
         ok ? "true" : "false", o->conns, subs_open, p.failed, size, o->rate,
         o->duration_ms / 1000.0, (unsigned long long)offered, (unsigned long long)published,
         pub_secs, stopped, (unsigned long long)expected, (unsigned long long)b->delivered,
         (unsigned long long)lost, (unsigned long long)b->late, o->late_ms, o->tick_ms,
         (unsigned long long)b->gaps,
         pub_secs > 0 ? b->delivered_while_publishing / pub_secs : 0,
         percentile_ms(b, 0.5), percentile_ms(b, 0.99), percentile_ms(b, 1.0),
         sustained ? "true" : "false", secs > 0 ? (lg1 - lg0) / secs : 0,
         srv0 >= 0 && secs > 0 ? (srv1 - srv0) / secs : -1, (unsigned long long)p.errors);
  printf("\"first_error\":\"%s\"}\n", json_escape(p.first_error));
  return ok ? 0 : 1;
}
