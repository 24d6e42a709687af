// `ringside connect ws://…`: an interactive client like wscat. Lines typed at the prompt
// (node's readline: line editing and history on a terminal) are sent as text messages,
// or binary with --binary; what arrives is printed ("< " prefix, control characters
// shown as escapes, binary as hex). `--execute` sends one message, prints the replies
// that arrive within --wait ms (or until the server closes), and exits.
import readline from 'node:readline';
import {
  connectWebSocket,
  HandshakeFailedError,
  type WebSocketClient,
} from '../websocket/index.js';
import { exitStatusFor, parseHex, visible } from './connect-format.js';
import { intFlag, listFlag, parseFlags, UsageError } from './flags.js';

const SLASH_HELP = `  /ping [text]             send a ping (its pong is printed)
  /hex HEX                 send a binary message given in hex, e.g. /hex 00ff 10
  /close [code] [reason]   start the closing handshake (default 1000)
  /quit                    close with 1000 and exit
  /help                    this list
  //text                   send "/text" (a message that starts with a slash)
`;

export const CONNECT_HELP = `Usage: ringside connect <ws://host:port/path> [flags]

  --execute, -x TEXT   send TEXT, print replies for --wait ms (or until the server
                       closes), then close
  --wait N             with --execute: how long to wait for replies (default 2000)
  --header, -H "K: V"  extra request header (repeatable)
  --protocol P         subprotocols to offer (comma-separated)
  --deflate            offer permessage-deflate
  --binary             send typed lines (and --execute) as binary messages
  --show-ping-pong     also print the server's pings ("< ping …")
  --insecure           with wss://, accept any certificate
  --help               this text

Received text is printed after "< " with control characters shown as escapes (\\x1b…),
binary messages as hex. A refused upgrade prints its status line and body.
Exit status: 0 after a normal close (1000, 1001, or one you started), 1 after a failed
connection or any other close.

Commands at the prompt:
${SLASH_HELP}`;

export async function connectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, {
    execute: { type: 'string', short: 'x' },
    wait: { type: 'string' },
    header: { type: 'string', short: 'H', multiple: true },
    protocol: { type: 'string' },
    deflate: { type: 'boolean' },
    binary: { type: 'boolean' },
    'show-ping-pong': { type: 'boolean' },
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
  const wait = intFlag(values.wait, 'wait', 2000);

  let client: WebSocketClient;
  try {
    client = await connectWebSocket(url, {
      headers,
      protocols: listFlag(values.protocol),
      deflate: values.deflate === true,
      tls: values.insecure ? { rejectUnauthorized: false } : undefined,
    });
  } catch (error) {
    process.stderr.write(describeConnectError(url, error));
    process.exitCode = 1;
    return;
  }

  const interactive =
    values.execute === undefined && process.stdin.isTTY === true && process.stdout.isTTY === true;
  let prompt: readline.Interface | null = null;
  let ended = false;
  const print = (line: string): void => {
    if (prompt !== null && interactive) {
      // Print above the line being edited, then redraw it.
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
      process.stdout.write(line + '\n');
      if (!ended) prompt.prompt(true);
    } else {
      process.stdout.write(line + '\n');
    }
  };
  const binary = values.binary === true;
  const sendLine = (text: string): void =>
    client.send(binary ? Buffer.from(text, 'utf8') : text, { binary });

  client.on('message', (data, isBinary) =>
    print(`< ${isBinary ? data.toString('hex') : visible(data.toString('utf8'))}`),
  );
  client.on('pong', (payload) => print(`< pong ${visible(payload.toString('utf8'))}`));
  if (values['show-ping-pong'])
    client.on('ping', (payload) => print(`< ping ${visible(payload.toString('utf8'))}`));
  let closedByUs = false;
  const closeAs = (code: number, reason = ''): void => {
    closedByUs = true;
    client.close(code, reason);
  };
  const closed = new Promise<void>((resolve) =>
    client.on('close', (code, reason, wasClean) => {
      ended = true;
      const note = code === 1006 ? ' (connection lost without a close frame)' : '';
      print(`closed: ${code}${reason ? ` ${visible(reason)}` : ''}${note}`);
      process.exitCode = exitStatusFor(code, wasClean, closedByUs);
      resolve();
    }),
  );

  if (values.execute !== undefined) {
    sendLine(values.execute);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waited'>((resolve) => {
      timer = setTimeout(() => resolve('waited'), wait);
    });
    if ((await Promise.race([closed, waited])) === 'waited') {
      closeAs(1000);
      await closed;
    }
    clearTimeout(timer);
    return;
  }

  print(`connected to ${url}${client.protocol ? ` (protocol ${client.protocol})` : ''}`);
  if (interactive) print('type /help for commands');
  prompt = readline.createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
    historySize: 500,
    prompt: '> ',
  });
  prompt.on('line', (line) => {
    const reply = runLine(line);
    if (reply !== null) print(reply);
    else if (interactive) prompt?.prompt();
  });
  prompt.on('SIGINT', () => prompt?.close());
  prompt.on('close', () => closeAs(1000)); // end of input, Ctrl-D or Ctrl-C
  if (interactive) prompt.prompt();

  /** Sends or runs one typed line; returns a line to show the user, if any. */
  function runLine(line: string): string | null {
    if (line.startsWith('//')) {
      sendLine(line.slice(1));
      return null;
    }
    if (!line.startsWith('/')) {
      if (line !== '' || !interactive) sendLine(line);
      return null;
    }
    const [command, ...rest] = line.split(' ');
    const argument = rest.join(' ');
    switch (command) {
      case '/help':
        return SLASH_HELP.trimEnd();
      case '/quit':
        closeAs(1000);
        return null;
      case '/ping':
        if (Buffer.byteLength(argument) > 125) return 'a ping carries at most 125 bytes';
        client.ping(argument.trim());
        return null;
      case '/hex': {
        const bytes = parseHex(argument);
        if (bytes === null) return `not hex: ${visible(argument)}`;
        client.send(bytes, { binary: true });
        return null;
      }
      case '/close': {
        const [code, ...reason] = rest;
        const number = code ? Number(code) : 1000;
        if (!Number.isInteger(number) || !(number === 1000 || (number >= 3000 && number < 5000)))
          return `a close code must be 1000 or 3000-4999, not ${visible(code ?? '')}`;
        closeAs(number, reason.join(' '));
        return null;
      }
      default:
        return `unknown command ${visible(command ?? '')} (try /help; //text sends "/text")`;
    }
  }

  await closed;
  prompt.close();
  // stdin would otherwise keep the process alive after the connection is gone.
  process.stdin.destroy();
}

/** One line (and a refusal's body) instead of a stack trace. */
function describeConnectError(url: string, error: unknown): string {
  const prefix = 'ringside connect:';
  if (error instanceof HandshakeFailedError) {
    if (error.status === undefined) return `${prefix} handshake failed: ${error.message}\n`;
    const body = (error.body ?? '').trimEnd();
    return (
      `${prefix} upgrade refused: ${visible(error.statusLine ?? String(error.status))}\n` +
      (body ? visible(body) + '\n' : '')
    );
  }
  const err = error as NodeJS.ErrnoException;
  if (err?.code === 'ERR_INVALID_URL' || error instanceof TypeError)
    return `${prefix} invalid URL "${visible(url)}": ${err.message}\n`;
  if (typeof err?.code === 'string')
    return `${prefix} cannot connect to ${visible(url)}: ${err.message}\n`;
  return `${prefix} ${error instanceof Error ? error.message : String(error)}\n`;
}
