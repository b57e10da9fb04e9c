// A simulated SAM_V ID card module: speaks the AA AA AA 96 69 protocol on the device side and keeps
// the card state (no card / present / found / selected). Synthetic identities only.

import {
  encodeReadPayload,
  encodeResponse,
  PHOTO_LENGTH,
  RequestParser,
  Sw3,
  xorCheck,
  PREAMBLE,
} from './idcard-protocol.ts';
import { encodeCardText, idCheckChar, type CardTextInput } from './idcard-text.ts';
import type { ByteTransport } from './idcard-reader.ts';

export interface SimulatedCard {
  text: CardTextInput;
  /** WLT bytes; a synthetic pattern when absent (it does not decode to a picture). */
  wlt?: Uint8Array;
}

/** Builds an 18-digit number with a correct ISO 7064 MOD 11-2 check character from 17 digits. */
export function withCheckChar(first17: string): string {
  const c = idCheckChar(first17);
  if (c === null) throw new Error('need 17 digits');
  return first17 + c;
}

/**
 * An obviously fictitious test identity: the name says so, the address is a test address and the
 * sequence digits are 999 (not a real person; the number is only format-valid).
 */
export const TEST_CARD: SimulatedCard = {
  text: {
    name: '测试样卡',
    sexCode: '2',
    nationCode: '01',
    birth: '20000101',
    address: '测试省模拟市示例路1号（样卡数据）',
    idNumber: withCheckChar('11010520000101999'),
    issuer: '模拟市公安局（测试）',
    validFrom: '20200101',
    validTo: '20300101',
  },
};

export function syntheticWlt(): Uint8Array {
  const w = new Uint8Array(PHOTO_LENGTH);
  for (let i = 0; i < w.length; i++) w[i] = (i * 37 + 11) & 0xff;
  return w;
}

type CardState = 'absent' | 'present' | 'found' | 'selected';

export interface SimulatorOptions {
  /** Delay before each answer, ms (0 = next macrotask). */
  latencyMs?: number;
  /** Split long answers into chunks of this size, as a UART would deliver them. */
  chunkSize?: number;
}

export class IdCardSimulator {
  private readonly parser = new RequestParser();
  private card: SimulatedCard | null = null;
  private state: CardState = 'absent';
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  /** When true the module stays silent (power loss, wrong baud rate): the host times out. */
  mute = false;
  /** Called before answering a read, e.g. to lift the card mid-read. */
  beforeRead: (() => void) | null = null;
  readonly received: Uint8Array[] = [];

  constructor(private readonly options: SimulatorOptions = {}) {}

  placeCard(card: SimulatedCard = TEST_CARD): void {
    this.card = card;
    this.state = 'present';
  }

  removeCard(): void {
    this.card = null;
    this.state = 'absent';
  }

  get cardState(): CardState {
    return this.state;
  }

  /** Pure request handling: bytes from the host in, answer frames out. */
  handle(bytes: Uint8Array): Uint8Array[] {
    this.received.push(bytes);
    const out: Uint8Array[] = [];
    // A request whose check byte is wrong is answered 10 (the parser drops it, so look for it here).
    if (bytes.length >= 10 && PREAMBLE.every((b, i) => bytes[i] === b) && xorCheck(bytes, 5, bytes.length - 1) !== bytes[bytes.length - 1]) {
      const len = ((bytes[5] ?? 0) << 8) | (bytes[6] ?? 0);
      if (len === bytes.length - 7) return [encodeResponse(Sw3.ChecksumError)];
    }
    for (const req of this.parser.push(bytes)) out.push(this.answer(req.command, req.parameter));
    return out;
  }

  private answer(cmd: number, para: number): Uint8Array {
    if (cmd === 0x11 && para === 0xff) return encodeResponse(Sw3.Ok);
    if (cmd === 0x01 && para === 0xff) {
      if (this.card) this.state = 'present';
      return encodeResponse(Sw3.Ok);
    }
    if (cmd === 0x20 && para === 0x01) {
      if (!this.card) return encodeResponse(Sw3.FindFailed);
      this.state = 'found';
      return encodeResponse(Sw3.FindOk);
    }
    if (cmd === 0x20 && para === 0x02) {
      if (!this.card || this.state === 'absent' || this.state === 'present') return encodeResponse(Sw3.SelectFailed);
      this.state = 'selected';
      return encodeResponse(Sw3.Ok);
    }
    if (cmd === 0x30 && para === 0x01) {
      this.beforeRead?.();
      if (!this.card) return encodeResponse(Sw3.ReadFailed);
      if (this.state !== 'selected') return encodeResponse(Sw3.ReadFailed);
      this.state = 'present';
      const text = encodeCardText(this.card.text);
      return encodeResponse(Sw3.Ok, encodeReadPayload(text, this.card.wlt ?? syntheticWlt()));
    }
    return encodeResponse(Sw3.CommandError);
  }

  /** The host side of an in-memory link to this simulator. */
  hostTransport(): ByteTransport {
    return {
      write: async (bytes) => {
        const answers = this.handle(bytes);
        if (this.mute) return;
        const chunk = this.options.chunkSize ?? 0;
        setTimeout(() => {
          for (const a of answers) {
            if (chunk > 0) for (let i = 0; i < a.length; i += chunk) this.emit(a.subarray(i, i + chunk));
            else this.emit(a);
          }
        }, this.options.latencyMs ?? 0);
      },
      onData: (cb) => {
        this.listeners.add(cb);
        return () => this.listeners.delete(cb);
      },
    };
  }

  /** Serves the device end of a link (a pty, a UART): requests in, answers out. Returns a detach function. */
  attach(transport: ByteTransport): () => void {
    return transport.onData((bytes) => {
      const answers = this.handle(bytes);
      if (this.mute) return;
      // A reader whose line is gone just loses its answer, as hardware does.
      for (const a of answers) transport.write(a).catch(() => undefined);
    });
  }

  /** Injects raw bytes towards the host (line noise in tests). */
  emit(bytes: Uint8Array): void {
    for (const l of this.listeners) l(bytes);
  }
}
