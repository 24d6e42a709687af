// The Python client (clients/python) against a real `ringside serve`: runs its pytest
// suite with the server's address in the environment, and checks that every test ran
// and passed (none skipped, none missing).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  cleanEnv,
  REPO_ROOT,
  runTool,
  startClientTestServer,
  type ClientTestServer,
} from './harness.js';

const EXPECTED = [
  'test_arena_battle.py::test_two_clients_play_a_whole_battle',
  'test_arena_battle.py::test_a_bad_token_is_not_retried',
  'test_reconnect.py::test_survives_a_server_restart_and_rejoins_the_queue',
  'test_reconnect.py::test_the_offline_queue_is_bounded_and_dropped_on_close',
  'test_reconnect.py::test_gives_up_after_max_attempts',
  'test_reconnect.py::test_connect_again_after_close_and_async_handlers_may_await_requests',
  'test_reconnect.py::test_a_request_that_times_out_offline_is_never_sent_later',
  'test_reconnect.py::test_backoff_grows_with_jitter_and_is_capped',
  'test_timeout.py::test_a_request_the_server_never_answers_times_out',
  'test_timeout.py::test_a_run_the_server_never_answers_times_out',
  'test_other_clients.py::test_chat_room_messages_edits_and_catch_up_after_a_restart',
  'test_other_clients.py::test_collab_session_code_cursor_and_language',
  'test_other_clients.py::test_runner_runs_code_in_the_sandbox',
  'test_docs.py::test_every_block_has_a_scenario',
  'test_docs.py::test_spec_example_as_written',
  'test_docs.py::test_connect_example',
  'test_docs.py::test_battle_example_two_bots_play',
  'test_docs.py::test_errors_example',
  'test_docs.py::test_reconnect_example_through_a_restart',
  'test_docs.py::test_chat_example',
  'test_docs.py::test_collab_example',
  'test_docs.py::test_runner_example',
];

let server: ClientTestServer;
before(async () => {
  server = await startClientTestServer();
});
after(async () => {
  await server?.stop();
});

test(
  'the Python client passes its pytest suite against ringside serve',
  { timeout: 600_000 },
  async () => {
    const run = await runTool(
      '/usr/bin/python3',
      ['-m', 'pytest', '-v', '-p', 'no:cacheprovider', 'clients/python/tests'],
      {
        cwd: REPO_ROOT,
        env: cleanEnv({ ...server.env, PYTHONDONTWRITEBYTECODE: '1' }),
        timeoutMs: 540_000,
      },
    );
    assert.equal(run.code, 0, `pytest failed:\n${run.output}`);
    for (const name of EXPECTED) {
      assert.match(
        run.output,
        new RegExp(`${name.replace(/[.]/g, '\\.')} PASSED`),
        `${name}:\n${run.output}`,
      );
    }
    assert.doesNotMatch(run.output, /SKIPPED|XFAIL|xfail/, run.output);
    assert.ok(server.restarts >= 3, 'the restart tests did restart the server');
  },
);
