/** A pure streaming parser: bytes in, whole frames out. It never throws on arbitrary input; it drops
 * garbage and resynchronises on the next frame start. */
export interface FrameParser<F> {
  push(chunk: Uint8Array): F[];
  reset(): void;
  readonly stats: ParserStats;
}

export interface ParserStats {
  frames: number;
  /** Candidate frames rejected (bad escape, bad checksum, too short, too long). */
  rejected: number;
  /** Bytes dropped outside any frame. */
  droppedBytes: number;
}

export function newStats(): ParserStats {
  return { frames: 0, rejected: 0, droppedBytes: 0 };
}
