/* The benchmark load generator: many non-blocking WebSocket client connections on
 * one epoll loop, its own minimal RFC 6455 client (handshake, masked frames, a
 * streaming frame reader). One process, one thread, so it can be pinned to a core.
 * Modes: echo (pipelined), broadcast (fixed publish rate), idle (open and hold). */
#ifndef LOADGEN_H
#define LOADGEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- time and process statistics (util.c) ---- */
int64_t now_ns(void);
double self_cpu_s(void);           /* getrusage user+sys of this process */
double proc_cpu_s(pid_t pid);      /* /proc/<pid>/stat utime+stime; -1 if unknown */
long proc_rss_kib(pid_t pid);      /* /proc/<pid>/status VmRSS; -1 if unknown */
void raise_nofile_limit(void);     /* soft RLIMIT_NOFILE up to the hard limit */
void *xmalloc(size_t n);
const char *json_escape(const char *s);  /* static buffer */

/* ---- the WebSocket client side (ws.c) ---- */
#define WS_ACCEPT_FOR_FIXED_KEY "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/* Writes a masked client frame (FIN set) into out; returns its length.
 * out must hold payload_len + 14 bytes. */
size_t ws_encode_frame(uint8_t *out, int opcode, const uint8_t *payload, size_t payload_len,
                       const uint8_t mask[4]);
size_t ws_frame_len(size_t payload_len);

/* Streaming frame reader state: survives any split of the byte stream. */
typedef struct {
  uint8_t hdr[14];
  uint8_t hlen, hneed;
  uint8_t in_payload;
  uint8_t opcode, fin;
  uint8_t msg_opcode;      /* opcode of the data message in progress, 0 if none */
  uint64_t remaining;      /* payload bytes left in the current frame */
  uint64_t msg_off;        /* payload bytes of the current message seen so far */
  uint8_t ctl[125];
  uint8_t ctl_len;
} ws_reader;

/* ---- connections and the event loop (pool.c) ---- */
enum { C_IDLE, C_CONNECTING, C_HANDSHAKE, C_OPEN, C_DEAD };

typedef struct conn {
  int fd;
  int idx;
  int state;
  int want_out;            /* EPOLLOUT currently requested */
  uint8_t mask[4];
  char hs[1024];           /* handshake response being read */
  size_t hs_len;
  size_t req_off;          /* bytes of the upgrade request written */
  /* a periodic outbound stream (the same frame repeated), used by echo */
  uint8_t *tx;
  size_t tx_len, tx_off;
  uint64_t owed;           /* bytes of the periodic stream still to write */
  /* a plain outbound queue (publishes, pongs) */
  uint8_t *q;
  size_t q_len, q_off, q_cap;
  ws_reader rd;
  uint8_t head[16];        /* first bytes of the message in progress */
  uint64_t received;       /* complete data messages received */
  uint64_t next_seq;
} conn;

typedef struct pool pool;
typedef struct {
  void (*on_open)(pool *p, conn *c);
  /* a slice of the payload of the data message in progress, at offset msg_off */
  int (*on_payload)(pool *p, conn *c, const uint8_t *data, size_t n, uint64_t msg_off);
  /* a complete data message; return -1 to flag an error (already recorded) */
  int (*on_message)(pool *p, conn *c, int opcode, uint64_t len);
} handlers;

struct pool {
  int epfd;
  conn *conns;
  int n;
  const char *host;
  int port;
  const char *path;
  char request[512];
  size_t request_len;
  int max_connecting;
  int connecting, opened, failed, next_to_open, closed_by_server;
  int64_t first_connect_ns, last_open_ns;
  uint64_t errors;
  char first_error[512];
  handlers h;
  void *ctx;
};

void pool_init(pool *p, int n, const char *host, int port, const char *path, int max_connecting,
               handlers h, void *ctx);
void pool_open_more(pool *p);
/* opens every connection (bounded by timeout_ms); 1 if all opened without error */
int pool_open_all(pool *p, int timeout_ms);
void pool_poll(pool *p, int timeout_ms);  /* one epoll_wait round */
int pool_flush(pool *p, conn *c);         /* write what is owed; -1 on error */
void pool_queue(pool *p, conn *c, const uint8_t *data, size_t n);
void pool_error(pool *p, conn *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ws_feed(pool *p, conn *c, const uint8_t *buf, size_t n);  /* ws.c; -1 on error */

/* ---- the modes ---- */
typedef struct {
  const char *host, *path;
  int port;
  pid_t server_pid;
  int conns, size, window, text;
  int warmup_ms, duration_ms, connect_timeout_ms;
  int rate, drain_ms, late_ms, settle_ms, max_connecting, tick_ms;
} options;

/* --source-addrs N: connection i binds to source address 127.2.0.0 + 1 + i % N (N > 0),
   so ephemeral ports, which are per source address, do not run out with many connections */
extern int loadgen_source_addrs;

int run_echo(const options *o);
int run_broadcast(const options *o);
int run_idle(const options *o);

#endif
