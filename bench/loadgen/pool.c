/* The connections and their epoll loop: non-blocking connect with a cap on how
 * many are opening at once, the upgrade request and a check of the 101 answer,
 * then reads fed to the frame reader and owed bytes written as the socket allows. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loadgen.h"

static uint8_t read_buf[256 * 1024];

void pool_error(pool *p, conn *c, const char *fmt, ...) {
  p->errors++;
  if (p->first_error[0]) return;
  int k = c ? snprintf(p->first_error, sizeof p->first_error, "conn %d: ", c->idx) : 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->first_error + k, sizeof p->first_error - (size_t)k, fmt, ap);
  va_end(ap);
}

void pool_init(pool *p, int n, const char *host, int port, const char *path, int max_connecting,
               handlers h, void *ctx) {
  memset(p, 0, sizeof *p);
  p->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (p->epfd < 0) {
    perror("epoll_create1");
    exit(3);
  }
  p->conns = xmalloc(sizeof(conn) * (size_t)n);
  p->n = n;
  p->host = host;
  p->port = port;
  p->path = path;
  p->max_connecting = max_connecting > 0 ? max_connecting : 1;
  p->h = h;
  p->ctx = ctx;
  /* One fixed key for every connection: the server's answer is then a known
   * constant, so the 101 can be checked exactly without SHA-1 here. */
  p->request_len = (size_t)snprintf(p->request, sizeof p->request,
                                    "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                                    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    "Sec-WebSocket-Version: 13\r\n\r\n",
                                    path, host, port);
  for (int i = 0; i < n; i++) {
    conn *c = &p->conns[i];
    c->idx = i;
    c->fd = -1;
    c->rd.hneed = 2;
    uint32_t x = (uint32_t)(i + 1) * 2654435761u;  /* a fixed, distinct mask key per connection */
    for (int k = 0; k < 4; k++) c->mask[k] = (uint8_t)(x >> (8 * k));
    c->mask[0] |= 1;
  }
}

static void set_events(pool *p, conn *c, int want_out) {
  if (c->want_out == want_out) return;
  c->want_out = want_out;
  struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(p->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_close(pool *p, conn *c) {
  if (c->fd >= 0) {
    epoll_ctl(p->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
  }
  c->fd = -1;
  c->state = C_DEAD;
}

static void open_failed(pool *p, conn *c) {
  conn_close(p, c);
  p->connecting--;
  p->failed++;
  pool_open_more(p);
}

int loadgen_source_addrs = 0;

static void start_connect(pool *p, conn *c) {
  if (!p->first_connect_ns) p->first_connect_ns = now_ns();
  p->connecting++;
  c->state = C_CONNECTING;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    pool_error(p, c, "socket: %s", strerror(errno));
    open_failed(p, c);
    return;
  }
  c->fd = fd;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (loadgen_source_addrs > 0) {
    uint32_t k = 1 + (uint32_t)((c - p->conns) % loadgen_source_addrs);
    struct sockaddr_in src = {.sin_family = AF_INET,
                              .sin_addr.s_addr = htonl((127u << 24) | (2u << 16) | k)};
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) {
      pool_error(p, c, "bind to a source address: %s", strerror(errno));
      open_failed(p, c);
      return;
    }
  }
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p->port)};
  inet_pton(AF_INET, p->host, &sa.sin_addr);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
    pool_error(p, c, "connect: %s", strerror(errno));
    open_failed(p, c);
    return;
  }
  c->want_out = 1;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
  epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int pool_open_all(pool *p, int timeout_ms) {
  int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
  pool_open_more(p);
  while (p->opened + p->failed < p->n && now_ns() < deadline) pool_poll(p, 10);
  if (p->opened < p->n && !p->first_error[0])
    pool_error(p, NULL, "only %d of %d connections opened within %d ms (%d failed)", p->opened, p->n,
               timeout_ms, p->failed);
  return p->opened == p->n && p->errors == 0;
}

void pool_open_more(pool *p) {
  while (p->connecting < p->max_connecting && p->next_to_open < p->n)
    start_connect(p, &p->conns[p->next_to_open++]);
}

void pool_queue(pool *p, conn *c, const uint8_t *data, size_t n) {
  (void)p;
  if (c->q_len + n > c->q_cap) {
    if (c->q_off > 0) {
      memmove(c->q, c->q + c->q_off, c->q_len - c->q_off);
      c->q_len -= c->q_off;
      c->q_off = 0;
    }
    if (c->q_len + n > c->q_cap) {
      size_t cap = c->q_cap ? c->q_cap : 4096;
      while (cap < c->q_len + n) cap *= 2;
      uint8_t *q = realloc(c->q, cap);
      if (!q) {
        fprintf(stderr, "loadgen: out of memory\n");
        exit(3);
      }
      c->q = q;
      c->q_cap = cap;
    }
  }
  memcpy(c->q + c->q_len, data, n);
  c->q_len += n;
}

int pool_flush(pool *p, conn *c) {
  if (c->state != C_OPEN) return 0;
  while (c->q_off < c->q_len) {
    ssize_t w = write(c->fd, c->q + c->q_off, c->q_len - c->q_off);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        set_events(p, c, 1);
        return 0;
      }
      pool_error(p, c, "write: %s", strerror(errno));
      return -1;
    }
    c->q_off += (size_t)w;
  }
  c->q_off = c->q_len = 0;
  while (c->owed > 0) {
    size_t chunk = c->tx_len - c->tx_off;
    if (chunk > c->owed) chunk = (size_t)c->owed;
    ssize_t w = write(c->fd, c->tx + c->tx_off, chunk);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        set_events(p, c, 1);
        return 0;
      }
      pool_error(p, c, "write: %s", strerror(errno));
      return -1;
    }
    c->owed -= (uint64_t)w;
    c->tx_off += (size_t)w;
    if (c->tx_off == c->tx_len) c->tx_off = 0;  /* tx holds whole frames: wrap to the start */
  }
  set_events(p, c, 0);
  return 0;
}

/* "HTTP/1.1 101 ...\r\n" with "Sec-WebSocket-Accept: <the known answer>" */
static int check_upgrade_response(pool *p, conn *c, size_t head_len) {
  const char *h = c->hs;
  if (strncmp(h, "HTTP/1.1 101", 12) != 0) {
    const char *eol = memchr(h, '\r', head_len);
    pool_error(p, c, "upgrade refused: \"%.*s\"", (int)(eol ? eol - h : (long)head_len), h);
    return -1;
  }
  const char *line = h;
  while ((line = memchr(line, '\n', head_len - (size_t)(line - h))) != NULL) {
    line++;
    if ((size_t)(line - h) + 21 < head_len && strncasecmp(line, "sec-websocket-accept:", 21) == 0) {
      const char *v = line + 21;
      while (*v == ' ' || *v == '\t') v++;
      size_t k = strlen(WS_ACCEPT_FOR_FIXED_KEY);
      if (strncmp(v, WS_ACCEPT_FOR_FIXED_KEY, k) == 0 && (v[k] == '\r' || v[k] == ' ')) return 0;
      pool_error(p, c, "wrong Sec-WebSocket-Accept: \"%.28s\"", v);
      return -1;
    }
  }
  pool_error(p, c, "101 response has no Sec-WebSocket-Accept");
  return -1;
}

static void on_handshake_readable(pool *p, conn *c) {
  ssize_t r = read(c->fd, c->hs + c->hs_len, sizeof c->hs - 1 - c->hs_len);
  if (r <= 0) {
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    c->hs[c->hs_len] = 0;
    pool_error(p, c, "connection closed during the handshake (%s) after \"%.80s\"",
               r == 0 ? "EOF" : strerror(errno), c->hs);
    open_failed(p, c);
    return;
  }
  c->hs_len += (size_t)r;
  c->hs[c->hs_len] = 0;
  char *end = strstr(c->hs, "\r\n\r\n");
  if (!end) {
    if (c->hs_len >= sizeof c->hs - 1) {
      pool_error(p, c, "handshake response head larger than %zu bytes", sizeof c->hs - 1);
      open_failed(p, c);
    }
    return;
  }
  size_t head_len = (size_t)(end - c->hs) + 4;
  if (check_upgrade_response(p, c, head_len) < 0) {
    open_failed(p, c);
    return;
  }
  c->state = C_OPEN;
  p->connecting--;
  p->opened++;
  p->last_open_ns = now_ns();
  if (p->h.on_open) p->h.on_open(p, c);
  /* bytes the server sent right after the 101 belong to the frame stream */
  if (c->state == C_OPEN && c->hs_len > head_len &&
      ws_feed(p, c, (const uint8_t *)c->hs + head_len, c->hs_len - head_len) < 0)
    conn_close(p, c);
  if (c->state == C_OPEN && pool_flush(p, c) < 0) conn_close(p, c);
  pool_open_more(p);
}

static void on_connecting_event(pool *p, conn *c) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) {
    pool_error(p, c, "connect: %s", strerror(err));
    open_failed(p, c);
    return;
  }
  c->state = C_HANDSHAKE;
}

static void on_handshake_writable(pool *p, conn *c) {
  while (c->req_off < p->request_len) {
    ssize_t w = write(c->fd, p->request + c->req_off, p->request_len - c->req_off);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      pool_error(p, c, "write (upgrade request): %s", strerror(errno));
      open_failed(p, c);
      return;
    }
    c->req_off += (size_t)w;
  }
  set_events(p, c, 0);
}

static void on_open_readable(pool *p, conn *c) {
  for (int round = 0; round < 4; round++) {
    ssize_t r = read(c->fd, read_buf, sizeof read_buf);
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      pool_error(p, c, "read: %s", strerror(errno));
      conn_close(p, c);
      return;
    }
    if (r == 0) {
      p->closed_by_server++;
      pool_error(p, c, "server closed the TCP connection");
      conn_close(p, c);
      return;
    }
    if (ws_feed(p, c, read_buf, (size_t)r) < 0) {
      conn_close(p, c);
      return;
    }
    if ((size_t)r < sizeof read_buf) break;
  }
  if (c->q_len > c->q_off || c->owed > 0) {
    if (pool_flush(p, c) < 0) conn_close(p, c);
  }
}

void pool_poll(pool *p, int timeout_ms) {
  struct epoll_event evs[1024];
  int k = epoll_wait(p->epfd, evs, 1024, timeout_ms);
  for (int i = 0; i < k; i++) {
    conn *c = evs[i].data.ptr;
    uint32_t e = evs[i].events;
    if (c->state == C_CONNECTING) on_connecting_event(p, c);
    if (c->state == C_HANDSHAKE) {
      if (c->req_off < p->request_len) on_handshake_writable(p, c);
      if (c->state == C_HANDSHAKE && (e & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_handshake_readable(p, c);
      continue;
    }
    if (c->state != C_OPEN) continue;
    if (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_open_readable(p, c);
    if (c->state == C_OPEN && (e & EPOLLOUT)) {
      if (pool_flush(p, c) < 0) conn_close(p, c);
    }
  }
}
