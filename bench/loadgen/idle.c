/* Idle: open `conns` WebSocket connections (at most max_connecting handshakes in
 * progress at once), timing the opening to get handshakes per second, then hold
 * them and read the server's VmRSS to get its memory cost per connection. */
#include <stdio.h>

#include "loadgen.h"

int run_idle(const options *o) {
  handlers h = {0};
  pool p;
  pool_init(&p, o->conns, o->host, o->port, o->path, o->max_connecting, h, NULL);

  long rss0 = proc_rss_kib(o->server_pid);
  double lg0 = self_cpu_s(), srv0 = proc_cpu_s(o->server_pid);
  pool_open_all(&p, o->connect_timeout_ms);
  double lg1 = self_cpu_s(), srv1 = proc_cpu_s(o->server_pid);
  double open_s = p.last_open_ns > p.first_connect_ns
                      ? (double)(p.last_open_ns - p.first_connect_ns) / 1e9
                      : 0;

  /* hold them while the server settles (lazy allocations, GC) */
  int64_t settle_end = now_ns() + (int64_t)o->settle_ms * 1000000;
  while (now_ns() < settle_end) pool_poll(&p, 20);
  long rss1 = proc_rss_kib(o->server_pid);
  int alive = 0;
  for (int i = 0; i < p.n; i++) alive += p.conns[i].state == C_OPEN;
  if (alive < p.opened && !p.first_error[0])
    pool_error(&p, NULL, "%d of %d connections died while held", p.opened - alive, p.opened);

  int ok = p.opened == p.n && alive == p.n && p.errors == 0;
  double per_conn = rss0 >= 0 && rss1 >= 0 && p.opened > 0 ? (rss1 - rss0) * 1024.0 / p.opened : -1;
  printf("{\"mode\":\"idle\",\"ok\":%s,\"conns\":%d,\"opened\":%d,\"open_failures\":%d,"
         "\"alive_after_settle\":%d,\"open_s\":%.3f,\"handshakes_per_s\":%.1f,"
         "\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,\"bytes_per_conn\":%.1f,"
         "\"loadgen_cpu\":%.3f,\"server_cpu\":%.3f,\"errors\":%llu,\"first_error\":\"%s\"}\n",
         ok ? "true" : "false", o->conns, p.opened, p.failed, alive, open_s,
         open_s > 0 ? p.opened / open_s : 0, rss0, rss1, per_conn,
         open_s > 0 ? (lg1 - lg0) / open_s : 0, srv0 >= 0 && open_s > 0 ? (srv1 - srv0) / open_s : -1,
         (unsigned long long)p.errors, json_escape(p.first_error));
  return ok ? 0 : 1;
}
