import type { Client } from '@elastic/elasticsearch';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

/**
 * Our own small index for checkpoints and leases (`names.state`). It lives in the same cluster as
 * the data, so a checkpoint can never survive the documents it vouches for (a restore or a wipe
 * takes both).
 */
export async function ensureStateIndex(store: ElasticsearchStore): Promise<void> {
  const { client } = store;
  const index = store.names.state;
  await store.request('the state index check', async () => {
    if (!(await client.indices.exists({ index }))) await createStateIndex(client, index);
    // Another run may have created it a moment ago: its shard may still be starting.
    await client.cluster.health({ index, wait_for_status: 'yellow', timeout: '60s' });
  });
}

async function createStateIndex(client: Client, index: string): Promise<void> {
  await client.indices.create(
    {
      index,
      settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
      mappings: {
        dynamic: false,
        properties: {
          kind: { type: 'keyword' },
          scope: { type: 'keyword' },
          taskId: { type: 'keyword' },
          owner: { type: 'keyword' },
          watermark: { type: 'date' },
          expiresAt: { type: 'date' },
          updatedAt: { type: 'date' },
        },
      },
    },
    // Two runs starting together both see the index missing; the loser's 400 is harmless.
    { ignore: [400] },
  );
}

export interface DocumentVersion {
  seqNo: number;
  primaryTerm: number;
}

/** The optimistic-concurrency version of a write or read response (always present on success). */
export function versionOf(response: { _seq_no?: number; _primary_term?: number }): DocumentVersion {
  if (response._seq_no === undefined || response._primary_term === undefined) {
    throw new Error('Elasticsearch answered without _seq_no/_primary_term');
  }
  return { seqNo: response._seq_no, primaryTerm: response._primary_term };
}

export function readStateDocument<T>(store: ElasticsearchStore, id: string) {
  return store.request(`the read of ${id}`, () =>
    store.client.get<T>({ index: store.names.state, id }, { ignore: [404] }),
  );
}

/**
 * Writes a state document only if it is still at `version` (without one: only if absent), retrying
 * through transient failures. Undefined when another writer changed it first. Any attempt may
 * conflict with an earlier one of this call, which succeeded but whose answer was lost (ours, or one
 * a proxy or a client of other settings sent again): on every conflict the stored document is read,
 * and `isOwnWrite` recognises the one this call wrote.
 */
export async function writeIfUnchanged<T>(
  store: ElasticsearchStore,
  params: {
    id: string;
    document: T;
    version: DocumentVersion | undefined;
    isOwnWrite: (stored: T) => boolean;
  },
): Promise<DocumentVersion | undefined> {
  const { id, document, version } = params;
  const { client } = store;
  const index = store.names.state;
  return store.request(`the write of ${id}`, async () => {
    try {
      const response = await client.index({
        index,
        id,
        document,
        refresh: false,
        ...(version
          ? { if_seq_no: version.seqNo, if_primary_term: version.primaryTerm }
          : { op_type: 'create' }),
      });
      return versionOf(response);
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 409) throw error;
      // Read within this attempt: a failed read retries the attempt, not a loop of its own.
      const stored = await client.get<T>({ index, id }, { ignore: [404] });
      return stored.found && stored._source && params.isOwnWrite(stored._source)
        ? versionOf(stored)
        : undefined;
    }
  });
}
