// The collab module (spec 001): live code sessions at /ws/<sessionId>, REST under /api/sessions.
import type { AppModule } from '../types.js';
import { registerCollabGateway } from './gateway.js';
import { collabMigrations } from './migrations.js';
import { registerCollabRoutes } from './routes.js';
import { CollabService } from './service.js';
import { CollabStore } from './store.js';

export function createCollabModule(
  options: { idleUnloadMs?: number; historyLimit?: number } = {},
): AppModule {
  let service: CollabService | null = null;
  return {
    name: 'collab',
    migrations: collabMigrations,
    register(context) {
      service = new CollabService(new CollabStore(context.db), {
        ...options,
        logger: context.logger,
      });
      registerCollabRoutes(context, service);
      registerCollabGateway(context, service);
    },
    async close() {
      await service?.close();
    },
  };
}

export const collabModule: AppModule = createCollabModule();
