// ID card reader driver over an abstract byte transport (a serial port, a pty, or the simulator):
// find (20 01) → select (20 02) → read text + photo (30 01), each with a time-out and typed errors.

import type { ByteTransport } from '../byte-transport.ts';
import {
  encodeCommand,
  parseReadPayload,
  ResponseParser,
  sw3Meaning,
  Sw3,
  type CommandName,
  type ResponseFrame,
} from './idcard-protocol.ts';
import { decodeCardText, type CardText } from './idcard-text.ts';
import type { DecodedPhoto, WltPhotoDecoder } from './wlt-decoder.ts';
import { messagePair } from '../../i18n/bilingual.ts';

export type { ByteTransport };

export type IdCardErrorCode =
  | 'NO_CARD'
  | 'SELECT_FAILED'
  | 'READ_FAILED'
  | 'CARD_REMOVED'
  | 'TIMEOUT'
  | 'DEVICE_STATUS'
  | 'BAD_PAYLOAD'
  | 'BUSY'
  | 'CLOSED'
  | 'ABORTED'
  | 'PORT_ERROR';

const RETRYABLE: ReadonlySet<IdCardErrorCode> = new Set(['NO_CARD', 'SELECT_FAILED', 'READ_FAILED', 'CARD_REMOVED']);

export class IdCardError extends Error {
  override readonly name = 'IdCardError';
  readonly zh: string;
  readonly en: string;
  constructor(
    readonly code: IdCardErrorCode,
    readonly step: CommandName | null = null,
    readonly sw3: number | null = null,
    cause?: unknown,
  ) {
    const m = messagePair(`devices.idcard.error.${code}`);
    const status = sw3 === null ? '' : ` (SW3 0x${sw3.toString(16).padStart(2, '0').toUpperCase()}: ${sw3Meaning(sw3).en})`;
    super(`${m.en}${status}`, cause === undefined ? undefined : { cause });
    this.zh = sw3 === null ? m.zh : `${m.zh}（${sw3Meaning(sw3).zh}）`;
    this.en = this.message;
  }
}

export interface IdCard {
  text: CardText;
  /** The raw 256-byte text block. */
  rawText: Uint8Array;
  /** The raw WLT photo (normally 1024 bytes). */
  wlt: Uint8Array;
  /** Decoded photo, or null when no decoder is configured or decoding failed. */
  photo: DecodedPhoto | null;
  photoError: string | null;
}

export interface IdCardReaderOptions {
  /** Time-out per command; a 30 01 answer is 1,295 bytes (≈ 0.11 s at 115200 baud). */
  timeoutMs?: number;
  photoDecoder?: WltPhotoDecoder | null;
}

/**
 * Whether a frame can be the answer to `step`. Status-only answers carry no data; only a read answer
 * with SW3 90 carries the text and photo; 9F is the find-card success code only. This keeps a late
 * answer to a timed-out command from being taken for the next command's answer.
 */
export function acceptsAnswer(step: CommandName, f: ResponseFrame): boolean {
  if (step === 'ReadTextPhoto') return f.sw3 === Sw3.Ok ? f.data.length >= 4 : f.data.length === 0 && f.sw3 !== Sw3.FindOk;
  if (f.data.length !== 0 && step !== 'SamStatus') return false;
  if (step === 'FindCard') return true;
  return f.sw3 !== Sw3.FindOk;
}

export class IdCardReader {
  private readonly parser = new ResponseParser();
  private pending: { step: CommandName; resolve: (f: ResponseFrame) => void } | null = null;
  private busy = false;
  private closed = false;
  private readonly unsubscribe: void | (() => void);
  private readonly timeoutMs: number;
  private readonly photoDecoder: WltPhotoDecoder | null;
  /** Bytes discarded by the parser (garbage, bad checks): a line-quality counter. */
  discardedBytes = 0;
  /** Frames ignored because they could not be the answer being waited for. */
  unexpectedFrames = 0;

  constructor(
    private readonly transport: ByteTransport,
    options: IdCardReaderOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.photoDecoder = options.photoDecoder ?? null;
    this.unsubscribe = transport.onData((bytes) => this.onBytes(bytes));
  }

  close(): void {
    this.closed = true;
    if (typeof this.unsubscribe === 'function') this.unsubscribe();
  }

  private onBytes(bytes: Uint8Array): void {
    for (const e of this.parser.push(bytes)) {
      if (e.kind === 'discarded') this.discardedBytes += e.bytes;
      else if (this.pending && acceptsAnswer(this.pending.step, e.frame)) {
        const p = this.pending;
        this.pending = null;
        p.resolve(e.frame);
      } else {
        // Unsolicited, or a late answer to an earlier command that timed out: not this step's answer.
        this.unexpectedFrames += 1;
      }
    }
  }

  /** Sends one command and waits for its answer frame. */
  async transact(step: CommandName): Promise<ResponseFrame> {
    if (this.closed) throw new IdCardError('CLOSED', step);
    if (this.pending) throw new IdCardError('BUSY', step);
    this.parser.reset();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = new Promise<ResponseFrame>((resolve, reject) => {
      this.pending = { step, resolve };
      timer = setTimeout(() => {
        this.pending = null;
        reject(new IdCardError('TIMEOUT', step));
      }, this.timeoutMs);
    });
    // The time-out may fire while a slow write is still draining: keep that rejection handled.
    answer.catch(() => undefined);
    try {
      try {
        await this.transport.write(encodeCommand(step));
      } catch (err) {
        throw new IdCardError('PORT_ERROR', step, null, err);
      }
      return await answer;
    } finally {
      clearTimeout(timer);
      this.pending = null;
    }
  }

  /** SAM module self-check (11 FF): true when it answers 90. */
  async samStatus(): Promise<boolean> {
    return this.exclusive(async () => (await this.transact('SamStatus')).sw3 === Sw3.Ok);
  }

  /** Find, select and read the card on the reader. */
  async readCard(): Promise<IdCard> {
    return this.exclusive(() => this.readCardInner());
  }

  /**
   * Polls until a card is read: no card, select/read failures and a lifted card are retried every
   * intervalMs; a silent or faulty module (TIMEOUT, DEVICE_STATUS) is thrown to the caller.
   */
  async waitForCard(options: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<IdCard> {
    const intervalMs = options.intervalMs ?? 300;
    const signal = options.signal;
    for (;;) {
      if (signal?.aborted) throw new IdCardError('ABORTED');
      try {
        return await this.readCard();
      } catch (err) {
        if (!(err instanceof IdCardError) || !RETRYABLE.has(err.code)) throw err;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, intervalMs);
        function done(): void {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done);
      });
    }
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new IdCardError('BUSY');
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  private async readCardInner(): Promise<IdCard> {
    const found = await this.transact('FindCard');
    if (found.sw3 === Sw3.FindFailed) throw new IdCardError('NO_CARD', 'FindCard', found.sw3);
    if (found.sw3 !== Sw3.FindOk && found.sw3 !== Sw3.Ok) throw new IdCardError('DEVICE_STATUS', 'FindCard', found.sw3);

    const selected = await this.transact('SelectCard');
    if (selected.sw3 === Sw3.SelectFailed) throw new IdCardError('SELECT_FAILED', 'SelectCard', selected.sw3);
    if (selected.sw3 !== Sw3.Ok) throw new IdCardError('DEVICE_STATUS', 'SelectCard', selected.sw3);

    const read = await this.transact('ReadTextPhoto');
    if (read.sw3 === Sw3.FindFailed || read.sw3 === Sw3.SelectFailed) {
      throw new IdCardError('CARD_REMOVED', 'ReadTextPhoto', read.sw3);
    }
    if (read.sw3 === Sw3.ReadFailed) {
      // Tell a card lifted mid-read from a bad read: probe with find card.
      const probe = await this.transact('FindCard').catch(() => null);
      if (probe?.sw3 === Sw3.FindFailed) throw new IdCardError('CARD_REMOVED', 'ReadTextPhoto', read.sw3);
      throw new IdCardError('READ_FAILED', 'ReadTextPhoto', read.sw3);
    }
    if (read.sw3 !== Sw3.Ok) throw new IdCardError('DEVICE_STATUS', 'ReadTextPhoto', read.sw3);
    const payload = parseReadPayload(read.data);
    if (!payload || payload.text.length < 256) throw new IdCardError('BAD_PAYLOAD', 'ReadTextPhoto');

    let photo: DecodedPhoto | null = null;
    let photoError: string | null = null;
    if (this.photoDecoder && payload.photo.length > 0) {
      try {
        photo = await this.photoDecoder.decode(payload.photo);
      } catch (err) {
        photoError = err instanceof Error ? err.message : String(err);
      }
    }
    return { text: decodeCardText(payload.text), rawText: payload.text, wlt: payload.photo, photo, photoError };
  }
}
