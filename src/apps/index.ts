// Every protocol module the server runs, in registration order.
import type { AppModule } from './types.js';

export const appModules: AppModule[] = [];
