// Run as its own Node process by open-hook.test.ts: an app using the SDK whose open hook
// throws. It must get the error as an 'error' event and go on working (the queued
// request still goes out and is answered); an uncaught exception would end the process
// before it prints its report. Usage: node throwing-hook-child.js <ws://host:port>
import { RunnerClient } from '../../src/client/index.js';
import { NodeWebSocket } from './support.js';

const url = process.argv[2]!;
const client = new RunnerClient({ url, WebSocket: NodeWebSocket, requestTimeoutMs: 20_000 });
const errors: string[] = [];
client.socket.on('error', (error) => errors.push(error.message));
client.socket.addOpenHook(() => {
  throw new Error('open hook failed on purpose');
});
// Queued before the connection opens: sent after the hooks, the throwing one included.
const board = await client.getLeaderboard();
client.close();
process.stdout.write(JSON.stringify({ errors, leaderboard: Array.isArray(board) }) + '\n');
