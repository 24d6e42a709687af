// The chat module (spec 003): rooms at /ws/chat/<host>/<room>/, REST under /api/rooms.
import type { AppModule } from '../types.js';
import { registerChatGateway } from './gateway.js';
import { chatMigrations } from './migrations.js';
import { registerChatRoutes } from './routes.js';
import { KeyedQueue } from '../keyed-queue.js';
import { ChatService } from './service.js';
import { ChatStore } from './store.js';

export function createChatModule(): AppModule {
  const queue = new KeyedQueue();
  let service: ChatService | null = null;
  return {
    name: 'chat',
    migrations: chatMigrations,
    register(context) {
      service = new ChatService(new ChatStore(context.db, context.users));
      registerChatRoutes(context, service);
      registerChatGateway(context, service, queue);
    },
    // Messages already accepted are stored before the database closes.
    close: () => queue.idle(),
    metrics: () => [
      {
        name: 'ringside_chat_messages_total',
        help: 'Chat messages stored and sent to their room',
        type: 'counter',
        value: service?.postedCount ?? 0,
      },
    ],
  };
}

export const chatModule: AppModule = createChatModule();
