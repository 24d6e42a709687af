// Where the typed clients connect: the protocol path on the base address, a query that
// rides on the path (the runner's ?game=), the token, and a base that is already a full
// endpoint.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointUrl } from '../../src/client/endpoint.js';

test('the path, its query and the token end up in one URL', () => {
  assert.equal(endpointUrl('ws://h:1', '/appws'), 'ws://h:1/appws');
  assert.equal(
    endpointUrl('http://h:1', '/appws?game=lobby%201', 't.k'),
    'ws://h:1/appws?game=lobby+1&token=t.k',
  );
  assert.equal(endpointUrl('https://h', '/v1', 'x'), 'wss://h/v1?token=x');
  // A base with its own path is the endpoint; the path's query still applies.
  assert.equal(endpointUrl('ws://h/custom?a=1', '/appws?game=g'), 'ws://h/custom?a=1&game=g');
});
