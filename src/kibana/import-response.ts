/** Kibana's answer to `POST /api/saved_objects/_import` (200), in the shape 8.x and 9.x send. */
export interface ImportResponse {
  success: boolean;
  successCount: number;
  errors?: ImportObjectError[];
  warnings?: Array<{ type?: string; message?: string }>;
}

/** One object Kibana refused, with why. */
export interface ImportObjectError {
  id: string;
  type: string;
  title?: string;
  meta?: { title?: string };
  error: {
    /** `conflict`, `ambiguous_conflict`, `missing_references`, `unsupported_type` or `unknown`. */
    type: string;
    message?: string;
    statusCode?: number;
    references?: Array<{ type: string; id: string }>;
  };
}

export function isImportResponse(body: unknown): body is ImportResponse {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Partial<ImportResponse>;
  return typeof candidate.success === 'boolean' && typeof candidate.successCount === 'number';
}

/** `lens "Top error messages" (talend-logs-lens-top-errors): missing references: index-pattern x`. */
export function describeObjectError(failure: ImportObjectError): string {
  const title = failure.title ?? failure.meta?.title;
  const name = title === undefined ? failure.id : `"${title}" (${failure.id})`;
  return `${failure.type} ${name}: ${describeReason(failure.error)}`;
}

function describeReason(error: ImportObjectError['error']): string {
  switch (error.type) {
    case 'missing_references':
      return `missing references: ${(error.references ?? []).map((ref) => `${ref.type} ${ref.id}`).join(', ')}`;
    case 'unsupported_type':
      return 'this Kibana does not know the object type';
    case 'conflict':
    case 'ambiguous_conflict':
      return `${error.type.replace('_', ' ')} with an existing object`;
    default: {
      const status = error.statusCode === undefined ? '' : ` (HTTP ${error.statusCode})`;
      return `${error.message ?? error.type}${status}`;
    }
  }
}

/** The `message` of Kibana's error body (`{statusCode, error, message}`), or the start of whatever came. */
export function errorBodyMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string') return body.message;
    if (typeof body.error === 'string') return body.error;
  } catch {
    // Not JSON: a proxy's page, quoted below.
  }
  return text.trim().slice(0, 300);
}
