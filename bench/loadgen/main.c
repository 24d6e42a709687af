/* loadgen <echo|broadcast|idle> --port N [options]: runs one measurement and
 * prints one JSON line with the result on stdout. Exit 0 = measured cleanly,
 * 1 = the server misbehaved or connections failed (see "first_error"),
 * 2 = bad arguments, 4 = hard time limit hit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loadgen.h"

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen <echo|broadcast|idle> --port N [--host 127.0.0.1] [--path P]\n"
          "  [--source-addrs N]\n"
          "  [--server-pid PID] [--conns N] [--size BYTES] [--window N] [--text]\n"
          "  [--warmup-ms N] [--duration-ms N] [--connect-timeout-ms N] [--max-connecting N]\n"
          "  [--rate N] [--drain-ms N] [--late-ms N] [--tick-ms N] [--settle-ms N]\n  [--timeout-ms N]\n");
  exit(2);
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "loadgen: hard time limit (--timeout-ms) reached\n";
  ssize_t ignored = write(2, msg, sizeof msg - 1);
  (void)ignored;
  _exit(4);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  const char *mode = argv[1];
  int timeout_ms = 120000;
  options o = {.host = "127.0.0.1", .conns = 100, .size = 32, .window = 32, .warmup_ms = 1000,
               .duration_ms = 5000, .connect_timeout_ms = 20000, .rate = 100, .drain_ms = 2000,
               .late_ms = 1000, .tick_ms = 5, .settle_ms = 500, .max_connecting = 128};
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--text") == 0) {
      o.text = 1;
      continue;
    }
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    long n = strtol(v, NULL, 10);
    if (strcmp(a, "--host") == 0) o.host = v;
    else if (strcmp(a, "--path") == 0) o.path = v;
    else if (strcmp(a, "--port") == 0) o.port = (int)n;
    else if (strcmp(a, "--server-pid") == 0) o.server_pid = (pid_t)n;
    else if (strcmp(a, "--conns") == 0) o.conns = (int)n;
    else if (strcmp(a, "--size") == 0) o.size = (int)n;
    else if (strcmp(a, "--window") == 0) o.window = (int)n;
    else if (strcmp(a, "--warmup-ms") == 0) o.warmup_ms = (int)n;
    else if (strcmp(a, "--duration-ms") == 0) o.duration_ms = (int)n;
    else if (strcmp(a, "--connect-timeout-ms") == 0) o.connect_timeout_ms = (int)n;
    else if (strcmp(a, "--max-connecting") == 0) o.max_connecting = (int)n;
    else if (strcmp(a, "--source-addrs") == 0) loadgen_source_addrs = (int)n;
    else if (strcmp(a, "--rate") == 0) o.rate = (int)n;
    else if (strcmp(a, "--drain-ms") == 0) o.drain_ms = (int)n;
    else if (strcmp(a, "--late-ms") == 0) o.late_ms = (int)n;
    else if (strcmp(a, "--settle-ms") == 0) o.settle_ms = (int)n;
    else if (strcmp(a, "--tick-ms") == 0) o.tick_ms = (int)n;
    else if (strcmp(a, "--timeout-ms") == 0) timeout_ms = (int)n;
    else usage();
  }
  if (o.port <= 0 || o.port > 65535 || o.conns < 1 || o.size < 0 || o.size > (64 << 20) ||
      o.window < 1 || o.rate < 1 || o.tick_ms < 0 || o.duration_ms < 0 || o.warmup_ms < 0)
    usage();

  signal(SIGPIPE, SIG_IGN);
  signal(SIGALRM, on_alarm);
  alarm((unsigned)(timeout_ms + 999) / 1000);
  raise_nofile_limit();
  setvbuf(stdout, NULL, _IOLBF, 0);

  if (strcmp(mode, "echo") == 0) {
    if (!o.path) o.path = "/echo";
    return run_echo(&o);
  }
  if (strcmp(mode, "broadcast") == 0) {
    if (!o.path) o.path = "/broadcast";
    return run_broadcast(&o);
  }
  if (strcmp(mode, "idle") == 0) {
    if (!o.path) o.path = "/echo";
    return run_idle(&o);
  }
  usage();
  return 2;
}
