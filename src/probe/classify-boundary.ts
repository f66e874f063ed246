/**
 * Whether a generate request's `endTime` includes the entries logged exactly at it. Two requests
 * around an entry known to be logged at a whole second T: [T - 1 s, T] holds it only if `endTime`
 * is inclusive, and [T, T + 1 s] shows that Talend serves it at all (when `startTime` includes it).
 * Pure.
 */

const SECOND = 1000;

/** What the file of one of the two requests held. */
export interface BoundaryFile {
  /** Entries logged exactly at T. */
  atT: number;
  /** The file was read to its end, and is not a 206 that could have left T out. */
  whole: boolean;
}

export interface BoundaryVerdict {
  result: 'inclusive' | 'exclusive' | 'undetermined';
  reason: string;
  /** Whether `startTime` includes the entries at it, when the two files tell. */
  startTime?: 'inclusive' | 'exclusive';
}

/** The first whole-second instant among entry timestamps (epoch ms), if any. */
export function wholeSecondTimestamp(timestamps: readonly (number | undefined)[]): number | undefined {
  return timestamps.find((ms) => ms !== undefined && ms % SECOND === 0);
}

export function boundaryVerdict(endingAtT: BoundaryFile, startingAtT: BoundaryFile): BoundaryVerdict {
  const startTime =
    startingAtT.atT > 0 ? 'inclusive' : endingAtT.atT > 0 && startingAtT.whole ? 'exclusive' : undefined;
  if (endingAtT.atT > 0) {
    return { result: 'inclusive', reason: 'the entry at T is in the file ending at T', startTime };
  }
  if (!endingAtT.whole) {
    return {
      result: 'undetermined',
      reason: 'the file ending at T could not be read whole (too large, or a 206)',
      startTime,
    };
  }
  if (startingAtT.atT > 0) {
    return {
      result: 'exclusive',
      reason: 'the entry at T is in the file starting at T but not in the file ending at T',
      startTime,
    };
  }
  return {
    result: 'undetermined',
    reason: 'the entry at T is in neither the file ending at T nor the file starting at T',
    startTime,
  };
}
