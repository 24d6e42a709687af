// The Go client (clients/go) against a real `ringside serve`: runs `go test ./...` with
// the server's address in the environment and checks that every test ran and passed.
//
// The build is offline: gorilla/websocket comes from Debian's
// golang-github-gorilla-websocket-dev through the `replace` in clients/go/go.mod
// (GOPROXY=off, -mod=readonly: nothing is fetched and go.mod is never rewritten).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  cleanEnv,
  REPO_ROOT,
  runTool,
  startClientTestServer,
  type ClientTestServer,
} from './harness.js';

const EXPECTED = [
  'TestTwoClientsPlayAWholeBattle',
  'TestABadTokenIsNotRetried',
  'TestSurvivesAServerRestartAndRejoinsTheQueue',
  'TestTheOfflineQueueIsBoundedAndDroppedOnClose',
  'TestGivesUpAfterMaxAttempts',
  'TestBackoffDelayGrowsWithJitterAndIsCapped',
  'TestARequestTheServerNeverAnswersTimesOut',
  'TestConnectAgainAfterClose',
  'TestHandlersMayCallTheClient',
  'TestARequestThatTimesOutOfflineIsNeverSentLater',
  'TestDocsEveryBlockHasAScenario',
  'TestDocsSpecExample',
  'TestDocsConnectExample',
  'TestDocsBattleExampleTwoBotsPlay',
  'TestDocsErrorsExample',
  'TestDocsReconnectExampleThroughARestart',
];

/** Go's settings for an offline build whatever HOME allows. */
export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    GOFLAGS: '-mod=readonly',
    GOPROXY: 'off',
    GOSUMDB: 'off',
    GOWORK: 'off',
    GOCACHE: process.env.GOCACHE ?? path.join(os.tmpdir(), 'ringside-go-cache'),
    GOPATH: process.env.GOPATH ?? path.join(os.tmpdir(), 'ringside-gopath'),
    ...extra,
  });
}

/**
 * With the race detector where cgo can build it (gcc), unless RINGSIDE_GO_RACE=0: its
 * first build compiles the standard library with instrumentation (about 2 minutes of
 * CPU, then cached in GOCACHE; a plain build takes about 10 s).
 */
function raceFlag(): string[] {
  if (process.env.RINGSIDE_GO_RACE === '0') return [];
  return spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0 ? ['-race'] : [];
}

let server: ClientTestServer;
before(async () => {
  server = await startClientTestServer();
});
after(async () => {
  await server?.stop();
});

test('the Go client passes go test against ringside serve', { timeout: 600_000 }, async () => {
  const run = await runTool(
    'go',
    ['test', '-count=1', '-v', '-timeout', '420s', ...raceFlag(), './...'],
    { cwd: path.join(REPO_ROOT, 'clients/go'), env: goEnv(server.env), timeoutMs: 540_000 },
  );
  assert.equal(run.code, 0, `go test failed:\n${run.output}`);
  for (const name of EXPECTED) {
    assert.match(run.output, new RegExp(`--- PASS: ${name} `), `${name}:\n${run.output}`);
  }
  assert.doesNotMatch(run.output, /--- SKIP/, run.output);
  assert.ok(server.restarts >= 2, 'the restart tests did restart the server');
});
