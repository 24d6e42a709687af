// The collab module (spec 001): live code sessions at /ws/<sessionId>, REST under /api/sessions.
import { valuesOf } from '../settings.js';
import type { AppModule } from '../types.js';
import { registerCollabGateway } from './gateway.js';
import { collabMigrations } from './migrations.js';
import { registerCollabRoutes } from './routes.js';
import { CollabService } from './service.js';
import { collabSettings, type CollabSettings } from './settings.js';
import { CollabStore } from './store.js';

const HOUR_MS = 60 * 60 * 1000;

/** Explicit options win over the server's settings; the ms/bytes forms are for tests. */
export interface CollabOptions extends Partial<CollabSettings> {
  idleUnloadMs?: number;
  historyLimit?: number;
  maxStoredBytes?: number;
  sessionTtlMs?: number;
  sweepIntervalMs?: number;
}

export function createCollabModule(options: CollabOptions = {}): AppModule {
  let service: CollabService | null = null;
  return {
    name: 'collab',
    migrations: collabMigrations,
    async register(context) {
      const settings: CollabSettings = { ...valuesOf(collabSettings, context.settings) };
      for (const key of Object.keys(settings) as Array<keyof CollabSettings>)
        if (options[key] !== undefined) settings[key] = options[key];
      service = new CollabService(new CollabStore(context.db, context.dialect), {
        idleUnloadMs: options.idleUnloadMs,
        historyLimit: options.historyLimit,
        maxCodeChars: settings.maxCodeChars,
        maxStoredBytes: options.maxStoredBytes ?? settings.maxStoredMb * 1024 * 1024,
        sessionTtlMs: options.sessionTtlMs ?? settings.sessionTtlHours * HOUR_MS,
        sweepIntervalMs: options.sweepIntervalMs,
        logger: context.logger,
      });
      await service.start();
      registerCollabRoutes(context, service, { sessionsPerHour: settings.sessionsPerHour });
      registerCollabGateway(context, service);
    },
    metrics: () => [
      {
        name: 'ringside_collab_sessions_live',
        help: 'Collab sessions held in memory (someone connected within the unload delay)',
        type: 'gauge',
        value: service?.liveCount ?? 0,
      },
    ],
    async close() {
      await service?.close();
    },
  };
}

export const collabModule: AppModule = createCollabModule();
