// The sandbox's series in /metrics: queue length per class, workers by state and
// their restarts (read from the pool when scraped), and per request the time waited
// for a worker, the time on the worker and how it ended (observed as each ends).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SandboxPool } from '../sandbox/index.js';

const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const RUN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function addSandboxMetrics(registry: Registry, sandbox: SandboxPool): void {
  const registers = [registry];
  new Gauge({
    name: 'ringside_sandbox_queue_length',
    help: 'Sandbox requests waiting for a worker, per language and class (run, judge)',
    labelNames: ['language', 'class'],
    registers,
    collect() {
      for (const status of sandbox.info().languages) {
        for (const [cls, queued] of Object.entries(status.queuedByClass))
          this.set({ language: status.language, class: cls }, queued);
      }
    },
  });
  new Gauge({
    name: 'ringside_sandbox_workers',
    help: 'Sandbox worker processes per language: ready (warm), busy (of the ready), starting',
    labelNames: ['language', 'state'],
    registers,
    collect() {
      for (const { language, ready, busy, starting } of sandbox.info().languages) {
        this.set({ language, state: 'ready' }, ready);
        this.set({ language, state: 'busy' }, busy);
        this.set({ language, state: 'starting' }, starting);
      }
    },
  });
  new Counter({
    name: 'ringside_sandbox_worker_restarts_total',
    help: 'Sandbox workers replaced after they died or were killed (deadline backstop, crash)',
    labelNames: ['language'],
    registers,
    collect() {
      this.reset();
      for (const { language, restarts } of sandbox.info().languages)
        this.inc({ language }, restarts);
    },
  });
  const wait = new Histogram({
    name: 'ringside_sandbox_wait_seconds',
    help: 'Time a sandbox request waited for a worker (start-up included)',
    labelNames: ['language', 'class'],
    buckets: WAIT_BUCKETS,
    registers,
  });
  const run = new Histogram({
    name: 'ringside_sandbox_run_seconds',
    help: 'Time a sandbox request spent on its worker (IPC included)',
    labelNames: ['language', 'class'],
    buckets: RUN_BUCKETS,
    registers,
  });
  const jobs = new Counter({
    name: 'ringside_sandbox_jobs_total',
    help: 'Sandbox requests by how they ended: the verdict, or the refusal (busy, limit, cancelled, unavailable, closed, bad_request)',
    labelNames: ['language', 'class', 'kind', 'outcome'],
    registers,
  });
  sandbox.observe((event) => {
    const labels = { language: event.language, class: event.class };
    if (event.waitMs !== null) wait.observe(labels, event.waitMs / 1000);
    if (event.runMs !== null) run.observe(labels, event.runMs / 1000);
    jobs.inc({ ...labels, kind: event.kind, outcome: event.outcome });
  });
}
