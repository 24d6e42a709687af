#!/usr/bin/env node
// `ringside <command>`: the single entry point of the server, its tools and its client.
import { connectCommand, CONNECT_HELP } from './cli/connect.js';
import { echoCommand, ECHO_HELP } from './cli/echo.js';
import { UsageError } from './cli/flags.js';
import { SERVE_HELP } from './cli/serve-help.js';
import { describeStartupError } from './cli/startup-errors.js';

const HELP = `Usage: ringside <command> [flags]

Commands:
  serve      the platform: REST API, WebSocket protocols, browser app, metrics
  echo       the WebSocket engine alone: /echo and /broadcast routes
  connect    an interactive WebSocket client (like wscat)

Run "ringside <command> --help" for a command's flags.
`;

const commands: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  // Loaded on demand: the platform's dependencies (Fastify, SQLite, pg…) slow every other command's start.
  serve: {
    run: async (argv) => (await import('./cli/serve.js')).serveCommand(argv),
    help: SERVE_HELP,
  },
  echo: { run: echoCommand, help: ECHO_HELP },
  connect: { run: connectCommand, help: CONNECT_HELP },
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${HELP}`);
  await command.run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    const command = process.argv[2];
    const hint =
      error.message.startsWith('unknown flag') && command && commands[command]
        ? ` (see ringside ${command} --help)`
        : '';
    process.stderr.write(`ringside: ${error.message}${hint}\n`);
    process.exit(2);
  }
  const known = describeStartupError(error);
  if (known !== null) {
    process.stderr.write(`ringside: ${known}\n`);
    process.exit(1);
  }
  process.stderr.write(`ringside: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
