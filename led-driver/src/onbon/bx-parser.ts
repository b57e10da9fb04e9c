import { type FrameParser, type ParserStats, newStats } from '../frame-parser.ts';
import { BX_FRAME_END, BX_FRAME_START, type BxFrame, bxUnescape, decodeBxBody } from './bx-frame.ts';

/** Largest escaped body we accept before giving up on a candidate frame. */
export const BX_MAX_ESCAPED_BODY = 256 * 1024;

/**
 * Streaming BX frame parser. A run of one or more 0xA5 opens a frame (the wrapper sends eight;
 * we accept any number so a truncated preamble still resynchronises), 0x5A closes it. Since A5
 * and 5A never occur escaped inside a body, a stray A5 restarts the candidate and a stray 5A
 * ends it; a candidate that fails unescaping, length or CRC is counted and dropped.
 */
export class BxParser implements FrameParser<BxFrame> {
  readonly stats: ParserStats = newStats();
  private buf: number[] = [];
  private inFrame = false;

  push(chunk: Uint8Array): BxFrame[] {
    const out: BxFrame[] = [];
    for (const b of chunk) {
      if (b === BX_FRAME_START) {
        if (this.buf.length > 0) this.stats.rejected++;
        this.buf = [];
        this.inFrame = true;
      } else if (!this.inFrame) {
        this.stats.droppedBytes++;
      } else if (b === BX_FRAME_END) {
        const body = bxUnescape(Uint8Array.from(this.buf));
        const frame = body ? decodeBxBody(body) : null;
        if (frame) {
          this.stats.frames++;
          out.push(frame);
        } else this.stats.rejected++;
        this.buf = [];
        this.inFrame = false;
      } else {
        this.buf.push(b);
        if (this.buf.length > BX_MAX_ESCAPED_BODY) {
          this.stats.rejected++;
          this.buf = [];
          this.inFrame = false;
        }
      }
    }
    return out;
  }

  reset(): void {
    this.buf = [];
    this.inFrame = false;
  }
}
