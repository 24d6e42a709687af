// `ringside serve` settings from flags and RINGSIDE_* variables: defaults, env over
// defaults, flags over env, engine flags, and clear errors for bad values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { envName, serveSettings } from '../../src/cli/serve-config.js';
import { UsageError } from '../../src/cli/flags.js';

describe('serve settings', () => {
  it('has the serve defaults', () => {
    const { config, logLevel, help } = serveSettings([], {});
    assert.equal(help, false);
    assert.equal(logLevel, 'info');
    assert.equal(config.port, 8080);
    assert.equal(config.host, undefined);
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.database, undefined);
    assert.equal(config.jwtSecret, undefined);
    assert.deepEqual(config.engine.rateLimit, {
      messagesPerSecond: 20,
      burst: 40,
      onExceeded: 'close',
    });
    assert.equal(config.engine.maxMessageBytes, 1024 * 1024);
    assert.equal(config.engine.maxConnectionsPerIp, 1000);
    assert.equal(config.engine.heartbeatIntervalMs, 30_000);
    assert.equal(config.engine.deflate, undefined);
    assert.equal(config.engine.origins, undefined);
    assert.equal(config.tokenTtlSeconds, 7 * 24 * 3600);
  });

  it('maps every flag to a RINGSIDE_ variable', () => {
    assert.equal(envName('port'), 'RINGSIDE_PORT');
    assert.equal(envName('data-dir'), 'RINGSIDE_DATA_DIR');
    assert.equal(envName('max-connections-per-ip'), 'RINGSIDE_MAX_CONNECTIONS_PER_IP');
  });

  it('reads RINGSIDE_* variables over the defaults', () => {
    const { config, logLevel } = serveSettings([], {
      RINGSIDE_PORT: '9123',
      RINGSIDE_HOST: '127.0.0.1',
      RINGSIDE_DATA_DIR: '/tmp/from-env',
      RINGSIDE_DATABASE: 'postgres://u@db/x',
      RINGSIDE_JWT_SECRET: 'env-secret-0123456789',
      RINGSIDE_ORIGIN: 'https://a.example, https://b.example',
      RINGSIDE_RATE_LIMIT: '5',
      RINGSIDE_DEFLATE: 'true',
      RINGSIDE_MAX_MESSAGE_BYTES: '2048',
      RINGSIDE_LOG_LEVEL: 'warn',
    });
    assert.equal(config.port, 9123);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, '/tmp/from-env');
    assert.equal(config.database, 'postgres://u@db/x');
    assert.equal(config.jwtSecret, 'env-secret-0123456789');
    assert.deepEqual(config.engine.origins, ['https://a.example', 'https://b.example']);
    assert.deepEqual(config.engine.rateLimit, {
      messagesPerSecond: 5,
      burst: 10,
      onExceeded: 'close',
    });
    assert.ok(config.engine.deflate);
    assert.equal(config.engine.maxMessageBytes, 2048);
    assert.equal(logLevel, 'warn');
  });

  it('lets flags win over RINGSIDE_* variables', () => {
    const env = {
      RINGSIDE_PORT: '9123',
      RINGSIDE_DATA_DIR: '/tmp/from-env',
      RINGSIDE_DEFLATE: '1',
      RINGSIDE_RATE_LIMIT: '5',
    };
    const { config } = serveSettings(
      ['--port', '7000', '--data-dir', '/tmp/from-flag', '--rate-limit', '0'],
      env,
    );
    assert.equal(config.port, 7000);
    assert.equal(config.dataDir, '/tmp/from-flag');
    assert.equal(config.engine.rateLimit, false);
    assert.ok(config.engine.deflate, 'env still fills what no flag set');
    assert.equal(serveSettings([], { RINGSIDE_DEFLATE: '0' }).config.engine.deflate, undefined);
  });

  it('refuses bad values with a usage error', () => {
    assert.throws(() => serveSettings(['--port', 'x'], {}), UsageError);
    assert.throws(() => serveSettings([], { RINGSIDE_PORT: '70000' }), /--port must be/);
    assert.throws(() => serveSettings([], { RINGSIDE_DEFLATE: 'maybe' }), /RINGSIDE_DEFLATE/);
    assert.throws(() => serveSettings(['--jwt-secret', 'short'], {}), /at least 16/);
    assert.throws(() => serveSettings(['--no-such-flag'], {}), UsageError);
  });
});
