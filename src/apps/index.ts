// Every protocol module the server runs, in registration order.
import { arenaModule } from './arena/index.js';
import { chatModule } from './chat/index.js';
import { collabModule } from './collab/index.js';
import { runnerModule } from './runner/index.js';
import type { AppModule } from './types.js';

export const appModules: AppModule[] = [collabModule, chatModule, runnerModule, arenaModule];
