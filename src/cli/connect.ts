// `ringside connect ws://…`: an interactive client like wscat. Lines typed are sent as
// text messages; what arrives is printed ("< " prefix; binary as hex). `--execute`
// sends one message, prints the replies that arrive within --wait ms, and exits.
import readline from 'node:readline';
import { connectWebSocket, HandshakeFailedError } from '../websocket/index.js';
import { intFlag, listFlag, parseFlags, UsageError } from './flags.js';

export const CONNECT_HELP = `Usage: ringside connect <ws://host:port/path> [flags]

  --execute, -x TEXT   send TEXT, print replies for --wait ms, then close
  --wait N             with --execute: how long to wait for replies (default 2000)
  --header, -H "K: V"  extra request header (repeatable)
  --protocol P         subprotocols to offer (comma-separated)
  --deflate            offer permessage-deflate
  --insecure           with wss://, accept any certificate
  --help               this text

Interactive commands: /ping [text], /close [code] [reason], /quit
`;

export async function connectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, {
    execute: { type: 'string', short: 'x' },
    wait: { type: 'string' },
    header: { type: 'string', short: 'H', multiple: true },
    protocol: { type: 'string' },
    deflate: { type: 'boolean' },
    insecure: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(CONNECT_HELP);
    return;
  }
  const url = positionals[0];
  if (!url) throw new UsageError(`a URL is required\n\n${CONNECT_HELP}`);
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`bad --header "${header}" (expected "Name: value")`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  let client;
  try {
    client = await connectWebSocket(url, {
      headers,
      protocols: listFlag(values.protocol),
      deflate: values.deflate === true,
      tls: values.insecure ? { rejectUnauthorized: false } : undefined,
    });
  } catch (error) {
    if (error instanceof HandshakeFailedError) {
      process.stderr.write(`connection refused: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const print = (line: string): void => void process.stdout.write(line + '\n');
  client.on('message', (data, isBinary) =>
    print(`< ${isBinary ? data.toString('hex') : data.toString('utf8')}`),
  );
  client.on('pong', (payload) => print(`< pong ${payload.toString('utf8')}`));
  const closed = new Promise<number>((resolve) =>
    client.on('close', (code, reason) => {
      print(`closed: ${code}${reason ? ` ${reason}` : ''}`);
      resolve(code);
    }),
  );

  if (values.execute !== undefined) {
    client.send(values.execute);
    await new Promise((resolve) => setTimeout(resolve, intFlag(values.wait, 'wait', 2000)));
    client.close(1000);
    await closed;
    return;
  }

  print(`connected to ${url}${client.protocol ? ` (protocol ${client.protocol})` : ''}`);
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line === '/quit') return client.close(1000);
    if (line.startsWith('/ping')) return client.ping(line.slice(5).trim());
    if (line.startsWith('/close')) {
      const [, code, ...reason] = line.split(' ');
      return client.close(code ? Number(code) : 1000, reason.join(' '));
    }
    client.send(line);
  });
  input.on('close', () => client.close(1000));
  await closed;
  input.close();
  // stdin would otherwise keep the process alive after the connection is gone.
  process.stdin.destroy();
}
