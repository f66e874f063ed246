import { errors } from '@elastic/elasticsearch';
import type { TalendContext } from '../documents/shapes.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

const CONTEXT_FIELDS = ['task', 'execution', 'workspace', 'environment', 'runtime'] as const;

/**
 * What `<prefix>-executions` (one document per execution, `_id` = its id) says of the context of some
 * executions, as documents carry it under `talend.*`. Neither the index nor a document has to exist:
 * an execution without one is left out, and the caller keeps what it knew.
 */
export async function executionContexts(
  store: ElasticsearchStore,
  executionIds: readonly string[],
): Promise<Map<string, Partial<TalendContext>>> {
  const found = new Map<string, Partial<TalendContext>>();
  if (executionIds.length === 0) return found;
  let response;
  try {
    response = await store.request('the lookup of executions', () =>
      store.client.mget<{ talend?: Partial<TalendContext> }>({
        index: store.names.executions,
        ids: [...executionIds],
        _source_includes: CONTEXT_FIELDS.map((field) => `talend.${field}`),
      }),
    );
  } catch (error) {
    if (error instanceof errors.ResponseError && error.statusCode === 404) return found;
    throw error;
  }
  for (const doc of response.docs) {
    // A missing index answers 200 with an error per document.
    if ('found' in doc && doc.found && doc._source?.talend !== undefined)
      found.set(doc._id, doc._source.talend);
  }
  return found;
}
