/**
 * Generates one log file, waits for it, and reads at most `maxBytes` of it as sent: the head of a
 * large log, or the whole of a small one. Generating and polling change nothing at Talend.
 */
import { constants, gunzipSync } from 'node:zlib';
import {
  LogNotFoundError,
  type GeneratedLog,
  type GenerateLogParams,
  type TalendApiClient,
} from '../talend/index.ts';
import { isGzip } from './classify-log-file.ts';

export interface LogFileRead {
  generated: GeneratedLog;
  /** Bytes as sent, possibly compressed. */
  bytesRead: number;
  /** The file was read to its end. */
  whole: boolean;
  gzipBytes: boolean;
  contentEncoding?: string;
  contentType?: string;
  /** The bytes read, gunzipped when they are gzip, as UTF-8. */
  text: string;
}

export async function readLogFile(
  talend: TalendApiClient,
  executionId: string,
  params: GenerateLogParams,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<LogFileRead> {
  const generated = await talend.generateLog(executionId, { fileFormat: 'JSON', ...params }, signal);
  const url = await talend.waitForLogFile(executionId, generated.token, signal);
  const download = await talend.openPresignedUrl(url, signal);
  const chunks: Buffer[] = [];
  let bytesRead = 0;
  let whole = true;
  try {
    for await (const chunk of download.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      bytesRead += chunk.length;
      if (bytesRead >= maxBytes) {
        whole = false;
        break;
      }
    }
  } finally {
    download.body.destroy();
  }
  const bytes = Buffer.concat(chunks).subarray(0, maxBytes);
  const gzipBytes = isGzip(bytes);
  // A cut gzip stream still inflates up to the cut with a sync flush.
  const decoded = gzipBytes ? gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }) : bytes;
  return {
    generated,
    bytesRead: bytes.length,
    whole,
    gzipBytes,
    contentEncoding: download.contentEncoding,
    contentType: download.contentType,
    text: decoded.toString('utf8'),
  };
}

/**
 * Whether Talend holds a log for the run: a generate request answers a token, or 404. Each run is
 * asked once per probe.
 */
export class LogAvailability {
  private readonly known = new Map<string, Promise<boolean>>();

  constructor(
    private readonly talend: TalendApiClient,
    private readonly signal?: AbortSignal,
  ) {}

  has(executionId: string): Promise<boolean> {
    let answer = this.known.get(executionId);
    if (answer === undefined) {
      answer = this.talend.generateLog(executionId, { fileFormat: 'JSON' }, this.signal).then(
        () => true,
        (error: unknown) => {
          if (error instanceof LogNotFoundError) return false;
          throw error;
        },
      );
      this.known.set(executionId, answer);
    }
    return answer;
  }
}
