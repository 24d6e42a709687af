// `npm run schemas`: writes docs/schemas/ from the wire types — one JSON Schema per
// protocol and direction, and an AsyncAPI 3 document of every channel. With --check it
// writes nothing and fails when the files on disk differ (the test suite runs that).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

// Run from dist/tools/; the sources are two folders up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCHEMA_DIR = path.join(ROOT, 'docs/schemas');

interface Channel {
  protocol: string;
  spec: string;
  title: string;
  address: string;
  parameters?: Record<string, string>;
}

const CHANNELS: Channel[] = [
  {
    protocol: 'collab',
    spec: '001',
    title: 'Collaborative coding session',
    address: '/ws/{sessionId}',
    parameters: { sessionId: 'the session id' },
  },
  {
    protocol: 'chat',
    spec: '003',
    title: 'Chat room',
    address: '/ws/chat/{host}/{room}/',
    parameters: { host: "the host's username", room: 'the room slug' },
  },
  { protocol: 'runner', spec: '002', title: 'Code runner', address: '/appws' },
  { protocol: 'arena', spec: '000', title: 'Coding battles', address: '/v1' },
];

const capital = (name: string) => name[0]!.toUpperCase() + name.slice(1);

type Schema = Record<string, unknown>;

function schemaOf(typeName: string): Schema {
  const generator = createGenerator({
    path: path.join(ROOT, 'tools/wire-messages.ts'),
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    type: typeName,
    expose: 'none',
    topRef: false,
    jsDoc: 'extended',
    skipTypeCheck: true,
    additionalProperties: false,
  });
  return generator.createSchema(typeName) as Schema;
}

/** Every file of docs/schemas/ with its text. */
export function generateSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  const messages: Record<string, Schema> = {};
  const channels: Record<string, Schema> = {};
  const operations: Record<string, Schema> = {};
  for (const channel of CHANNELS) {
    const names = {
      send: `${capital(channel.protocol)}ClientMessage`,
      receive: `${capital(channel.protocol)}ServerMessage`,
    };
    for (const [direction, typeName] of Object.entries(names)) {
      const schema = {
        $schema: 'http://json-schema.org/draft-07/schema#',
        $id: `urn:ringside:schema:${channel.protocol}.${direction === 'send' ? 'client' : 'server'}`,
        title: typeName,
        ...schemaOf(typeName),
      };
      const file = `${channel.protocol}.${direction === 'send' ? 'client' : 'server'}.schema.json`;
      files.set(file, `${JSON.stringify(schema, null, 2)}\n`);
      const payload: Schema = { ...schema };
      delete payload.$schema;
      delete payload.$id;
      messages[typeName] = {
        name: typeName,
        title: typeName,
        contentType: 'application/json',
        payload,
      };
    }
    channels[channel.protocol] = {
      address: channel.address,
      title: `${channel.title} (spec ${channel.spec})`,
      ...(channel.parameters
        ? {
            parameters: Object.fromEntries(
              Object.entries(channel.parameters).map(([k, description]) => [k, { description }]),
            ),
          }
        : {}),
      messages: {
        [names.send]: { $ref: `#/components/messages/${names.send}` },
        [names.receive]: { $ref: `#/components/messages/${names.receive}` },
      },
    };
    // AsyncAPI 3 operations are from the application's (the server's) point of view.
    operations[`${channel.protocol}Receive`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${channel.protocol}` },
      messages: [{ $ref: `#/channels/${channel.protocol}/messages/${names.send}` }],
    };
    operations[`${channel.protocol}Send`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channel.protocol}` },
      messages: [{ $ref: `#/channels/${channel.protocol}/messages/${names.receive}` }],
    };
  }
  const asyncapi = {
    asyncapi: '3.0.0',
    info: {
      title: 'ringside',
      version: packageVersion(),
      description:
        'The WebSocket protocols of ringside serve. Generated from src/protocols by `npm run schemas`; do not edit.',
    },
    servers: {
      local: { host: 'localhost:8080', protocol: 'ws', description: '`npm start`' },
    },
    channels,
    operations,
    components: { messages },
  };
  files.set('asyncapi.json', `${JSON.stringify(asyncapi, null, 2)}\n`);
  return files;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** The files whose text on disk differs from what would be generated. */
export function staleSchemas(): string[] {
  const stale: string[] = [];
  for (const [file, text] of generateSchemas()) {
    let current = '';
    try {
      current = readFileSync(path.join(SCHEMA_DIR, file), 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) stale.push(file);
  }
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = staleSchemas();
    if (stale.length > 0) {
      console.error(`stale: ${stale.join(', ')} (run npm run schemas)`);
      process.exit(1);
    }
  } else {
    mkdirSync(SCHEMA_DIR, { recursive: true });
    for (const [file, text] of generateSchemas()) writeFileSync(path.join(SCHEMA_DIR, file), text);
    console.log(`wrote ${SCHEMA_DIR}`);
  }
}
