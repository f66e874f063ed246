import { randomBytes, randomUUID } from 'node:crypto';
import type { ExecutionLog, IndexRange } from './execution-log.ts';
import type { FileLayout } from './log-file-format.ts';

/** A generated log file: what a token stands for and what its presigned URL downloads. */
export interface LogFile {
  /** Object key segment: files of one execution share a name, so the key needs its own id. */
  readonly id: string;
  readonly token: string;
  readonly executionId: string;
  readonly taskId: string;
  /** Held directly: a file already generated stays downloadable if its execution is deleted. */
  readonly log: ExecutionLog;
  /** Fixed when the file was generated: later variants change the files generated after them. */
  readonly layout: FileLayout;
  /** Entry indexes of the execution's log, fixed when the file was generated. */
  readonly range: IndexRange;
  readonly fileName: string;
  readonly tokenExpiresAt: number;
  /** `/logs/status` polls answered so far. */
  polls: number;
}

export type LogFileDefinition = Omit<LogFile, 'id' | 'token' | 'polls'>;

export class LogFileRegistry {
  private readonly byToken = new Map<string, LogFile>();
  private readonly byId = new Map<string, LogFile>();

  create(definition: LogFileDefinition): LogFile {
    const file: LogFile = {
      ...definition,
      id: randomBytes(8).toString('hex'),
      token: randomUUID(),
      polls: 0,
    };
    this.byToken.set(file.token, file);
    this.byId.set(file.id, file);
    return file;
  }

  withToken(token: string): LogFile | undefined {
    return this.byToken.get(token);
  }

  withId(id: string): LogFile | undefined {
    return this.byId.get(id);
  }
}
