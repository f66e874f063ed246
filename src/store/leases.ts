import { hostname } from 'node:os';
import type { ElasticsearchStore } from './elasticsearch-store.ts';
import {
  readStateDocument,
  versionOf,
  writeIfUnchanged,
  type DocumentVersion as Version,
} from './state-index.ts';

export interface LeaseOwner {
  runId: string;
  host: string;
  pid: number;
}

interface LeaseSource {
  kind: 'lease';
  scope: string;
  taskId: string;
  owner: string;
  host: string;
  pid: number;
  expiresAt: string;
  updatedAt: string;
}

export function currentOwner(runId: string): LeaseOwner {
  return { runId, host: hostname(), pid: process.pid };
}

/**
 * A lease per task and scope, so two overlapping runs never work on one task at once. Taken and
 * renewed with optimistic concurrency (`if_seq_no`/`if_primary_term`): of two runs racing for the
 * same lease exactly one write succeeds. A lease expires after its TTL, and at once when its holder
 * was a process on this host that no longer exists (a run killed with SIGKILL), so the next run
 * need not wait out the TTL.
 */
export class LeaseManager {
  constructor(
    private readonly store: ElasticsearchStore,
    private readonly owner: LeaseOwner,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The lease, or undefined when another live run holds it. */
  async acquire(scope: string, taskId: string): Promise<Lease | undefined> {
    const id = `lease:${scope}:${taskId}`;
    const existing = await this.read(id);
    let version: Version | undefined;
    if (existing.found && existing._source) {
      if (this.isHeldByOther(existing._source)) {
        this.store.logger.info(
          { taskId, scope, holder: existing._source.owner, expiresAt: existing._source.expiresAt },
          'task is leased by another run; skipping it',
        );
        return undefined;
      }
      version = versionOf(existing);
    }
    const written = await this.write(id, scope, taskId, version);
    if (!written) {
      this.store.logger.info({ taskId, scope }, 'another run took the task lease first; skipping it');
      return undefined;
    }
    return new Lease(this, id, scope, taskId, written, this.ttlMs);
  }

  /** @internal Writes the lease for this owner; false when another writer won the race. */
  async write(id: string, scope: string, taskId: string, version: Version | undefined) {
    const now = this.now();
    const document: LeaseSource = {
      kind: 'lease',
      scope,
      taskId,
      owner: this.owner.runId,
      host: this.owner.host,
      pid: this.owner.pid,
      expiresAt: new Date(now + this.ttlMs).toISOString(),
      updatedAt: new Date(now).toISOString(),
    };
    return writeIfUnchanged(this.store, {
      id,
      document,
      version,
      isOwnWrite: (stored) => stored.updatedAt === document.updatedAt && stored.owner === document.owner,
    });
  }

  private read(id: string) {
    return readStateDocument<LeaseSource>(this.store, id);
  }

  /** @internal */
  async delete(id: string, version: Version): Promise<void> {
    await this.store.request(`the release of ${id}`, () =>
      this.store.client.delete(
        { index: this.store.names.state, id, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm },
        { ignore: [404, 409] },
      ),
    );
  }

  private isHeldByOther(lease: LeaseSource): boolean {
    if (lease.owner === this.owner.runId) return false;
    if (Date.parse(lease.expiresAt) <= this.now()) return false;
    if (lease.host === this.owner.host && !processExists(lease.pid)) return false;
    return true;
  }
}

class Lease {
  private readonly lostController = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly manager: LeaseManager,
    private readonly id: string,
    readonly scope: string,
    readonly taskId: string,
    private version: Version,
    ttlMs: number,
  ) {
    // Renewing at a third of the TTL leaves two chances before another run may take over. A renewal
    // still riding out an outage is not joined by another: both would write over the same version,
    // and the loser would take the winner, its own run, for a rival.
    let renewalInFlight = false;
    this.timer = setInterval(
      () => {
        if (renewalInFlight) return;
        renewalInFlight = true;
        this.renewing = this.renew().finally(() => (renewalInFlight = false));
      },
      Math.max(1000, Math.floor(ttlMs / 3)),
    );
    this.timer.unref();
  }

  /** Aborts when the lease could not be renewed: the task's work must stop. */
  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  async renew(): Promise<void> {
    if (this.lostController.signal.aborted) return;
    try {
      const written = await this.manager.write(this.id, this.scope, this.taskId, this.version);
      if (written) this.version = written;
      else this.lostController.abort(new Error(`lease of task ${this.taskId} was taken over by another run`));
    } catch (error) {
      this.lostController.abort(error);
    }
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    if (!this.lostController.signal.aborted) await this.manager.delete(this.id, this.version);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
