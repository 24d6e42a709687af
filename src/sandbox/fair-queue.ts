// Who waits for a sandbox worker, and who gets the next one. Jobs are grouped by
// owner (one user, or one anonymous connection) and owners by tenant (the user, or
// every anonymous connection of one address); tenants take turns (round-robin), and
// so do the owners inside a tenant, so many connections of one address count as one
// party. Judge jobs (battles) form their own class: served first, with their own
// queue limit and, optionally, workers that run jobs may never hold.
import { SandboxBusyError, SandboxOwnerLimitError } from './errors.js';
import type { JobClass, OwnerKind, SandboxFairness } from './types.js';

/** A request's owner as the scheduler keys it (requests.ts builds it). */
export interface ResolvedOwner {
  kind: OwnerKind | 'internal';
  /** unique over kinds: `user:<id>`, `anonymous:<connection>`, `internal` */
  ownerKey: string;
  /** what takes turns: `user:<id>`, `address:<ip>` (or the owner itself), `internal` */
  tenantKey: string;
  /** set for anonymous owners with an address: the per-address cap applies */
  address: string | null;
}

export interface QueuedJob {
  owner: ResolvedOwner;
  jobClass: JobClass;
  /** order of arrival, to find a tenant's newest job (set by enqueue) */
  seq: number;
  /** called when the job leaves the queue without a worker (pushed out by a fairer one) */
  evict(error: Error): void;
}

interface Owner<J extends QueuedJob> {
  jobs: J[];
  /** queued + running, for the per-owner cap */
  total: number;
}

interface Tenant<J extends QueuedJob> {
  owners: Map<string, Owner<J>>;
  queued: number;
  running: number;
  /** queued + running over all owners, for the per-address cap */
  total: number;
}

class ClassQueue<J extends QueuedJob> {
  /** insertion order is the round-robin order: a tenant just served moves to the back */
  readonly tenants = new Map<string, Tenant<J>>();
  queued = 0;
  running = 0;
}

let nextSeq = 1;

export class FairQueue<J extends QueuedJob> {
  private readonly classes: Record<JobClass, ClassQueue<J>> = {
    run: new ClassQueue(),
    judge: new ClassQueue(),
  };

  constructor(private readonly limits: SandboxFairness & { queueLimit: number; workers: number }) {}

  /** Workers only judge jobs may use (run jobs always keep at least one). */
  get reservedForJudge(): number {
    return Math.max(0, Math.min(this.limits.judgeWorkers, this.limits.workers - 1));
  }

  /** Workers run-class jobs may hold at once. */
  get runCapacity(): number {
    return Math.max(0, this.limits.workers - this.reservedForJudge);
  }

  /** Workers one tenant's run-class jobs may hold at once. */
  get runningPerTenant(): number {
    return this.limits.maxRunningPerTenant ?? Math.max(1, Math.floor(this.runCapacity / 2));
  }

  queued(jobClass?: JobClass): number {
    if (jobClass) return this.classes[jobClass].queued;
    return this.classes.run.queued + this.classes.judge.queued;
  }

  running(jobClass: JobClass): number {
    return this.classes[jobClass].running;
  }

  /**
   * Queues a job, or throws at once: SandboxOwnerLimitError when its owner or address
   * has too many jobs, SandboxBusyError when its class's queue is full of jobs of
   * parties that wait no more than it does.
   */
  enqueue(job: J, language: string): void {
    const cls = this.classes[job.jobClass];
    const limited = job.owner.kind !== 'internal';
    const tenant = cls.tenants.get(job.owner.tenantKey);
    const owner = tenant?.owners.get(job.owner.ownerKey);
    if (limited && (owner?.total ?? 0) >= this.limits.maxJobsPerOwner) {
      throw new SandboxOwnerLimitError('owner', this.limits.maxJobsPerOwner);
    }
    if (job.owner.address !== null && (tenant?.total ?? 0) >= this.limits.maxJobsPerAddress) {
      throw new SandboxOwnerLimitError('address', this.limits.maxJobsPerAddress);
    }
    if (cls.queued >= this.limits.queueLimit && !this.pushOut(cls, job.owner.tenantKey)) {
      throw new SandboxBusyError(`the ${language} sandbox queue is full`);
    }
    const t = tenant ?? this.addTenant(cls, job.owner.tenantKey);
    let o = owner;
    if (!o) {
      o = { jobs: [], total: 0 };
      t.owners.set(job.owner.ownerKey, o);
    }
    job.seq = nextSeq++;
    o.jobs.push(job);
    o.total++;
    t.total++;
    t.queued++;
    cls.queued++;
  }

  /** Takes a queued job out (cancelled, timed out). False when it was not queued. */
  remove(job: J): boolean {
    const cls = this.classes[job.jobClass];
    const tenant = cls.tenants.get(job.owner.tenantKey);
    const owner = tenant?.owners.get(job.owner.ownerKey);
    const i = owner ? owner.jobs.indexOf(job) : -1;
    if (!tenant || !owner || i === -1) return false;
    owner.jobs.splice(i, 1);
    owner.total--;
    tenant.total--;
    tenant.queued--;
    cls.queued--;
    this.prune(cls, job.owner, tenant, owner);
    return true;
  }

  /**
   * The job that gets the next free worker, already counted as running, or undefined
   * when nothing queued may start now. Judge jobs first; a run job only while run jobs
   * hold fewer than `runCapacity` workers and its tenant fewer than `runningPerTenant`.
   */
  next(): J | undefined {
    const judge = this.pick(this.classes.judge, () => true);
    if (judge) return judge;
    if (this.classes.run.running >= this.runCapacity) return undefined;
    const cap = this.runningPerTenant;
    return this.pick(this.classes.run, (key, t) => key === INTERNAL || t.running < cap);
  }

  /** A job that started has finished: its worker counts as free for its class again. */
  finished(job: J): void {
    const cls = this.classes[job.jobClass];
    cls.running--;
    const tenant = cls.tenants.get(job.owner.tenantKey);
    const owner = tenant?.owners.get(job.owner.ownerKey);
    if (!tenant || !owner) return;
    tenant.running--;
    tenant.total--;
    owner.total--;
    this.prune(cls, job.owner, tenant, owner);
  }

  /** Empties both queues, handing back every queued job (close, unavailable). */
  drain(): J[] {
    const out: J[] = [];
    for (const cls of Object.values(this.classes)) {
      for (const tenant of cls.tenants.values()) {
        for (const owner of tenant.owners.values()) {
          out.push(...owner.jobs);
          owner.total -= owner.jobs.length;
          tenant.total -= owner.jobs.length;
          owner.jobs = [];
        }
        tenant.queued = 0;
      }
      cls.queued = 0;
      for (const [key, tenant] of cls.tenants) {
        for (const [ownerKey, owner] of tenant.owners)
          if (owner.total === 0) tenant.owners.delete(ownerKey);
        if (tenant.total === 0) cls.tenants.delete(key);
      }
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  private pick(
    cls: ClassQueue<J>,
    eligible: (tenantKey: string, tenant: Tenant<J>) => boolean,
  ): J | undefined {
    if (cls.queued === 0) return undefined;
    for (const [key, tenant] of cls.tenants) {
      if (tenant.queued === 0 || !eligible(key, tenant)) continue;
      // The tenant's owners take turns the same way.
      for (const [ownerKey, owner] of tenant.owners) {
        const job = owner.jobs.shift();
        if (!job) continue;
        tenant.owners.delete(ownerKey);
        tenant.owners.set(ownerKey, owner);
        cls.tenants.delete(key);
        cls.tenants.set(key, tenant);
        tenant.queued--;
        tenant.running++;
        cls.queued--;
        cls.running++;
        return job;
      }
    }
    return undefined;
  }

  /**
   * The class queue is full: if some other tenant has more jobs waiting than the
   * newcomer's tenant (+1), its newest job leaves the queue (busy) to make room, so a
   * few parties cannot fill the queue against everyone else.
   */
  private pushOut(cls: ClassQueue<J>, newcomerTenant: string): boolean {
    const mine = cls.tenants.get(newcomerTenant)?.queued ?? 0;
    let heaviest: Tenant<J> | undefined;
    for (const [key, tenant] of cls.tenants) {
      if (key === newcomerTenant) continue;
      if (!heaviest || tenant.queued > heaviest.queued) heaviest = tenant;
    }
    if (!heaviest || heaviest.queued <= mine + 1) return false;
    let newest: J | undefined;
    for (const owner of heaviest.owners.values()) {
      const last = owner.jobs.at(-1);
      if (last && (!newest || last.seq > newest.seq)) newest = last;
    }
    if (!newest || !this.remove(newest)) return false;
    newest.evict(new SandboxBusyError('the sandbox queue is full, try again shortly'));
    return true;
  }

  private addTenant(cls: ClassQueue<J>, key: string): Tenant<J> {
    const tenant: Tenant<J> = { owners: new Map(), queued: 0, running: 0, total: 0 };
    cls.tenants.set(key, tenant);
    return tenant;
  }

  private prune(cls: ClassQueue<J>, id: ResolvedOwner, tenant: Tenant<J>, owner: Owner<J>): void {
    if (owner.total === 0) tenant.owners.delete(id.ownerKey);
    if (tenant.total === 0) cls.tenants.delete(id.tenantKey);
  }
}

export const INTERNAL = 'internal';
