// Every protocol module the server runs, in registration order.
import { chatModule } from './chat/index.js';
import { collabModule } from './collab/index.js';
import type { AppModule } from './types.js';

export const appModules: AppModule[] = [collabModule, chatModule];
