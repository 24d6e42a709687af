// The protocol modules' numbers on /metrics (battles running, queue length, live
// collab sessions, chat messages…): each module's metrics() is read at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AppModule, ModuleMetric } from '../apps/types.js';

/** Call after the modules registered: the metrics each reports then are the ones exposed. */
export function registerProtocolMetrics(registry: Registry, modules: AppModule[]): void {
  for (const module of modules) {
    if (!module.metrics) continue;
    for (const { name, help, type } of module.metrics()) {
      const read = (): number =>
        module.metrics!().find((metric: ModuleMetric) => metric.name === name)?.value ?? 0;
      if (type === 'gauge') {
        new Gauge({
          name,
          help,
          registers: [registry],
          collect() {
            this.set(read());
          },
        });
      } else {
        new Counter({
          name,
          help,
          registers: [registry],
          collect() {
            this.reset();
            this.inc(read());
          },
        });
      }
    }
  }
}
