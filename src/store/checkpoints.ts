import { TalendLogsError } from '../common/errors.ts';
import type { ExecutionProgress, TaskCheckpoint } from '../documents/shapes.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';
import { readStateDocument, versionOf, writeIfUnchanged, type DocumentVersion } from './state-index.ts';

/** Another run wrote this task's checkpoint since we read it: our view is stale, so we stop. */
export class CheckpointConflictError extends TalendLogsError {
  constructor(taskId: string, scope: string) {
    super(
      `The checkpoint of task ${taskId} (${scope}) was changed by another run; this run stops working on it. ` +
        'Two runs on the same task should be prevented by the lease: check that both use the same index prefix.',
      { category: 'elasticsearch', context: { taskId, scope } },
    );
  }
}

interface CheckpointSource {
  kind: 'checkpoint';
  scope: string;
  taskId: string;
  watermark?: string;
  rangeStart?: string;
  updatedAt: string;
  executions: Record<string, ExecutionProgress>;
}

/**
 * Checkpoints of one scope: `sync` for the live schedule, `backfill:<from>:<to>` for each backfill,
 * so a backfill never moves the live watermark. Writes use optimistic concurrency: a checkpoint is
 * only ever replaced by a run that read its current version.
 */
export class CheckpointStore {
  constructor(
    private readonly store: ElasticsearchStore,
    readonly scope: string,
  ) {}

  async load(taskId: string): Promise<TaskCheckpointHandle> {
    const response = await this.read(taskId);
    const source = response.found ? response._source : undefined;
    const checkpoint: TaskCheckpoint = {
      taskId,
      watermark: source?.watermark,
      rangeStart: source?.rangeStart,
      executions: source?.executions ?? {},
      updatedAt: source?.updatedAt ?? new Date(0).toISOString(),
    };
    const version = response.found ? versionOf(response) : undefined;
    return new TaskCheckpointHandle(this, checkpoint, version);
  }

  /** Every checkpoint of this scope, for `status`. */
  async list(): Promise<TaskCheckpoint[]> {
    // A search sees only refreshed writes; `status` right after a run must show that run's work.
    const { client } = this.store;
    const index = this.store.names.state;
    await this.store.request('the refresh of the state index', () =>
      client.indices.refresh({ index }, { ignore: [404] }),
    );
    const response = await this.store.request('the search of the checkpoints', () =>
      client.search<CheckpointSource>(
        {
          index,
          size: 10_000,
          query: { bool: { filter: [{ term: { kind: 'checkpoint' } }, { term: { scope: this.scope } }] } },
          sort: [{ taskId: 'asc' }],
        },
        { ignore: [404] },
      ),
    );
    return (response.hits?.hits ?? []).flatMap((hit) =>
      hit._source
        ? [
            {
              taskId: hit._source.taskId,
              watermark: hit._source.watermark,
              executions: hit._source.executions ?? {},
              updatedAt: hit._source.updatedAt,
            },
          ]
        : [],
    );
  }

  private read(taskId: string) {
    return readStateDocument<CheckpointSource>(this.store, this.documentId(taskId));
  }

  documentId(taskId: string): string {
    return `checkpoint:${this.scope}:${taskId}`;
  }

  /** @internal Used by the handle. */
  async write(checkpoint: TaskCheckpoint, version: DocumentVersion | undefined): Promise<DocumentVersion> {
    const document: CheckpointSource = {
      kind: 'checkpoint',
      scope: this.scope,
      taskId: checkpoint.taskId,
      watermark: checkpoint.watermark,
      rangeStart: checkpoint.rangeStart,
      updatedAt: checkpoint.updatedAt,
      executions: checkpoint.executions,
    };
    const written = await writeIfUnchanged(this.store, {
      id: this.documentId(checkpoint.taskId),
      document,
      version,
      isOwnWrite: (stored) => stored.updatedAt === document.updatedAt,
    });
    if (written === undefined) throw new CheckpointConflictError(checkpoint.taskId, this.scope);
    return written;
  }
}

interface PendingUpdate {
  mutate: (checkpoint: TaskCheckpoint) => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * One task's checkpoint while a run works on it. Executions of the task finish concurrently, so
 * updates are applied one after another, and those that arrive while a write is in flight go out
 * together in the next one: with many small executions, one write per execution would make the
 * checkpoint the slowest step of each, and every write re-indexes the whole document.
 */
export class TaskCheckpointHandle {
  private pending: PendingUpdate[] = [];
  private writing = false;

  constructor(
    private readonly store: CheckpointStore,
    private state: TaskCheckpoint,
    private version: DocumentVersion | undefined,
  ) {}

  get checkpoint(): TaskCheckpoint {
    return structuredClone(this.state);
  }

  /** Resolves once the change is stored, with every change asked for before it. */
  update(mutate: (checkpoint: TaskCheckpoint) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ mutate, resolve, reject });
      if (!this.writing) void this.writePending();
    });
  }

  private async writePending(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const draft = structuredClone(this.state);
        for (const update of batch) update.mutate(draft);
        draft.updatedAt = new Date().toISOString();
        this.version = await this.store.write(draft, this.version);
        this.state = draft;
        for (const update of batch) update.resolve();
      } catch (error) {
        // A failed write, or a change that throws, fails every update of the batch; later ones
        // still run against the last stored state.
        for (const update of batch) update.reject(error);
      }
    }
    this.writing = false;
  }
}
