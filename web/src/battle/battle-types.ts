// What the battle screens share: the matched battle as the page keeps it, and the
// sentence to show for a refused request.
import { ArenaRequestError, type ArenaLanguage, type Difficulty } from '@client/index.js';
import type { Example } from './run-examples';

export interface Matched {
  battleId: string;
  opponent: { userId?: string; username: string; rating: number };
  problem: {
    id: string;
    title: string;
    difficulty: Difficulty;
    description?: string;
    function?: string;
    starter?: string;
    examples?: Example[];
    totalTests?: number;
  };
  language: ArenaLanguage;
  endsAt: string;
}

/** The server's own sentence for a refused request, else the error's message. */
export const message = (error: unknown) =>
  error instanceof ArenaRequestError ? error.serverMessage : (error as Error).message;
