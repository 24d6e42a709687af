// The scheduler on its own (no workers): turns between tenants and between the
// owners of one tenant, the caps (per owner, per address, per class queue with
// push-out), judge jobs first, the judge share, and the running cap per tenant.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FairQueue, type QueuedJob } from '../../src/sandbox/fair-queue.js';
import { addressGroup, resolveOwner } from '../../src/sandbox/requests.js';
import {
  SandboxBusyError,
  SandboxOwnerLimitError,
  SandboxRequestError,
  type JobClass,
  type SandboxOwner,
} from '../../src/sandbox/index.js';

interface Job extends QueuedJob {
  name: string;
  evicted: Error | null;
}

const job = (name: string, owner: SandboxOwner | undefined, jobClass: JobClass = 'run'): Job => {
  const j: Job = {
    name,
    owner: resolveOwner(owner),
    jobClass,
    seq: 0,
    evicted: null,
    evict: (error) => {
      j.evicted = error;
    },
  };
  return j;
};
const anon = (connection: string, address = '198.51.100.1'): SandboxOwner => ({
  kind: 'anonymous',
  key: connection,
  address,
});
const user = (id: string): SandboxOwner => ({ kind: 'user', key: id });

function queue(options: Partial<ConstructorParameters<typeof FairQueue>[0]> = {}) {
  return new FairQueue<Job>({
    judgeWorkers: 0,
    maxJobsPerOwner: 100,
    maxJobsPerAddress: 1000,
    queueLimit: 1000,
    workers: 100,
    ...options,
  });
}

/** Takes jobs as workers free up, finishing each at once: the order they are served in. */
function serveAll(q: FairQueue<Job>): string[] {
  const order: string[] = [];
  for (let j = q.next(); j; j = q.next()) {
    order.push(j.name);
    q.finished(j);
  }
  return order;
}

describe('fair queue', () => {
  it('serves tenants in turns, not in arrival order', () => {
    const q = queue();
    for (let i = 1; i <= 4; i++) q.enqueue(job(`hog${i}`, user('hog')), 'python');
    q.enqueue(job('alice', user('alice')), 'python');
    q.enqueue(job('bob', user('bob')), 'python');
    assert.deepEqual(serveAll(q), ['hog1', 'alice', 'bob', 'hog2', 'hog3', 'hog4']);
  });

  it("counts an address's anonymous connections as one tenant, its connections taking turns inside it", () => {
    const q = queue();
    // 50 connections of one address, 4 jobs each, then one other party.
    for (let c = 0; c < 50; c++)
      for (let r = 0; r < 4; r++) q.enqueue(job(`c${c}r${r}`, anon(`c${c}`)), 'python');
    q.enqueue(job('alice', user('alice')), 'python');
    q.enqueue(job('elsewhere', anon('x', '192.0.2.9')), 'python');
    const order = serveAll(q);
    // The second job served is alice's, the third the other address's: the 200 count once.
    assert.deepEqual(order.slice(0, 5), ['c0r0', 'alice', 'elsewhere', 'c1r0', 'c2r0']);
    assert.equal(order.length, 202);
  });

  it('refuses an owner, then an address, at its cap at once, and admits again when jobs end', () => {
    const q = queue({ maxJobsPerOwner: 2, maxJobsPerAddress: 3 });
    const a = [job('a1', anon('a')), job('a2', anon('a'))];
    for (const j of a) q.enqueue(j, 'python');
    assert.throws(
      () => q.enqueue(job('a3', anon('a')), 'python'),
      (err: unknown) =>
        err instanceof SandboxOwnerLimitError &&
        err.code === 'LIMIT' &&
        err.scope === 'owner' &&
        err.limit === 2,
    );
    q.enqueue(job('b1', anon('b')), 'python');
    assert.throws(
      () => q.enqueue(job('c1', anon('c')), 'python'),
      (err: unknown) => err instanceof SandboxOwnerLimitError && err.scope === 'address',
    );
    // Another address and a user are not affected.
    q.enqueue(job('d1', anon('d', '192.0.2.1')), 'python');
    q.enqueue(job('u1', user('u')), 'python');
    // A running job still counts; a finished one does not.
    const first = q.next()!;
    assert.equal(first.name, 'a1');
    assert.throws(() => q.enqueue(job('c1', anon('c')), 'python'), SandboxOwnerLimitError);
    q.finished(first);
    q.enqueue(job('c1', anon('c')), 'python');
    // In-process callers (no owner) have no per-owner cap.
    const internal = queue({ maxJobsPerOwner: 1 });
    for (let i = 0; i < 5; i++) internal.enqueue(job(`i${i}`, undefined), 'python');
    assert.equal(internal.queued(), 5);
  });

  it('serves judge jobs first, from their own queue that run jobs cannot fill', () => {
    const q = queue({ queueLimit: 3 });
    for (let i = 0; i < 3; i++) q.enqueue(job(`r${i}`, user(`u${i}`)), 'python');
    assert.throws(() => q.enqueue(job('r3', user('u3')), 'python'), SandboxBusyError);
    q.enqueue(job('j1', user('p1'), 'judge'), 'python');
    q.enqueue(job('j2', user('p2'), 'judge'), 'python');
    assert.deepEqual(q.queued('judge'), 2);
    assert.deepEqual(serveAll(q), ['j1', 'j2', 'r0', 'r1', 'r2']);
  });

  it('keeps the judge share from run jobs and caps the workers one tenant holds', () => {
    // 5 workers, 1 for judging: run jobs may hold 4, one tenant 2 of them.
    const q = queue({ workers: 5, judgeWorkers: 1 });
    assert.equal(q.reservedForJudge, 1);
    assert.equal(q.runCapacity, 4);
    assert.equal(q.runningPerTenant, 2);
    for (let c = 0; c < 10; c++) q.enqueue(job(`hostile${c}`, anon(`c${c}`)), 'python');
    const running = [q.next()!, q.next()!];
    assert.equal(q.next(), undefined, 'the address holds 2 workers: no more for it');
    q.enqueue(job('alice', user('alice')), 'python');
    q.enqueue(job('bob', user('bob')), 'python');
    running.push(q.next()!, q.next()!);
    assert.deepEqual(
      running.map((j) => j.name),
      ['hostile0', 'hostile1', 'alice', 'bob'],
    );
    q.enqueue(job('carol', user('carol')), 'python');
    assert.equal(q.next(), undefined, 'run jobs hold 4 of 5 workers: the fifth is for judging');
    q.enqueue(job('judge', user('player'), 'judge'), 'python');
    assert.equal(q.next()?.name, 'judge');
    q.finished(running[2]!);
    assert.equal(q.next()?.name, 'carol', 'a free run worker goes to the next eligible tenant');
    // One worker per language: nothing is reserved (run jobs keep at least one).
    assert.equal(queue({ workers: 1, judgeWorkers: 1 }).runCapacity, 1);
  });

  it('makes room in a full queue by pushing out the newest job of the party with the most waiting', () => {
    const q = queue({ queueLimit: 4 });
    const hostile = [1, 2, 3, 4].map((i) => job(`h${i}`, anon(`c${i}`)));
    for (const j of hostile) q.enqueue(j, 'python');
    q.enqueue(job('alice', user('alice')), 'python');
    const evicted = () => hostile.filter((j) => j.evicted instanceof SandboxBusyError).length;
    assert.ok(hostile[3]!.evicted instanceof SandboxBusyError, 'the newest hostile job made room');
    assert.equal(evicted(), 1);
    q.enqueue(job('bob', user('bob')), 'python');
    q.enqueue(job('carol', user('carol')), 'python');
    // Each newcomer took the place of the hostile address's newest job.
    assert.equal(evicted(), 3);
    assert.equal(hostile[0]!.evicted, null);
    // Now one job each: nobody waits more than one job beyond the newcomer, so no room.
    assert.throws(() => q.enqueue(job('dave', user('dave')), 'python'), SandboxBusyError);
    assert.throws(() => q.enqueue(job('h5', anon('c5')), 'python'), SandboxBusyError);
    assert.deepEqual(serveAll(q), ['h1', 'alice', 'bob', 'carol']);
  });

  it('forgets owners with nothing left, and hands back every queued job on drain', () => {
    const q = queue();
    const a = job('a', user('x'));
    const b = job('b', user('y'));
    q.enqueue(a, 'python');
    q.enqueue(b, 'python');
    assert.equal(q.remove(a), true);
    assert.equal(q.remove(a), false);
    const running = q.next()!;
    q.enqueue(job('c', user('z')), 'python');
    q.enqueue(job('d', user('z'), 'judge'), 'python');
    assert.deepEqual(
      q.drain().map((j) => j.name),
      ['c', 'd'],
    );
    assert.equal(q.queued(), 0);
    q.finished(running);
    assert.equal(q.running('run'), 0);
    assert.equal(q.next(), undefined);
  });

  it('groups IPv6 addresses by /64 and reads IPv4-mapped ones as IPv4', () => {
    assert.equal(addressGroup('198.51.100.7'), '198.51.100.7');
    assert.equal(addressGroup('::ffff:198.51.100.7'), '198.51.100.7');
    assert.equal(addressGroup('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressGroup('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressGroup('::1'), '0:0:0:0::/64');
    assert.equal(addressGroup('unknown'), 'unknown');
    // Two hosts of one /64 are one tenant.
    assert.equal(
      resolveOwner(anon('a', '2001:db8:1:2::a')).tenantKey,
      resolveOwner(anon('b', '2001:db8:1:2::b')).tenantKey,
    );
  });

  it('validates owners and classes', () => {
    assert.deepEqual(resolveOwner(undefined).kind, 'internal');
    assert.equal(resolveOwner(user('7')).tenantKey, 'user:7');
    assert.equal(resolveOwner(anon('c1', '192.0.2.1')).tenantKey, 'address:192.0.2.1');
    assert.equal(resolveOwner({ kind: 'anonymous', key: 'c1' }).tenantKey, 'anonymous:c1');
    for (const bad of [
      { kind: 'admin', key: 'x' },
      { kind: 'user', key: '' },
      { kind: 'user', key: 'x'.repeat(257) },
      { kind: 'anonymous', key: 'c', address: 5 },
      'user:1',
    ]) {
      assert.throws(() => resolveOwner(bad as never), SandboxRequestError, JSON.stringify(bad));
    }
  });
});
