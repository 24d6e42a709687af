// The runner module (spec 002): runCode, tasks with progress and the leaderboard at
// /appws and /devws. See docs/protocols/runner.md.
import type { SandboxPool } from '../../sandbox/index.js';
import type { AppModule } from '../types.js';
import { registerRunnerGateway, RUNNER_LIMITS, type RunnerLimits } from './gateway.js';
import { Games } from './games.js';
import { RunnerService } from './service.js';

export interface RunnerModuleOptions {
  /** Runs the code instead of the platform's pool (tests size their own). */
  sandbox?: SandboxPool;
  limits?: Partial<RunnerLimits>;
}

export function createRunnerModule(options: RunnerModuleOptions = {}): AppModule {
  let games: Games | null = null;
  return {
    name: 'runner',
    migrations: [],
    metrics: () => [
      {
        name: 'ringside_runner_shared_games',
        help: 'Runner games joined by name (?game=) with at least one member',
        type: 'gauge',
        value: games?.sharedCount ?? 0,
      },
    ],
    register(context) {
      // State lives per registration: the games of this server.
      const service = new RunnerService(options.sandbox ?? context.sandbox);
      games = new Games();
      registerRunnerGateway(context, service, games, {
        ...RUNNER_LIMITS,
        ...options.limits,
      });
    },
  };
}

export const runnerModule: AppModule = createRunnerModule();
