/**
 * One-byte replies shared by the SYN6288 and the XFS5152 (iFlytek) TTS chips. The chip answers each
 * frame it accepts with ACK, a malformed one with ERROR, and a status query with BUSY or IDLE; INIT
 * comes once after power-up or reset. Bytes outside this set are line noise and are skipped.
 */
export const ChipReply = {
  init: 0x4a,
  ack: 0x41,
  error: 0x45,
  busy: 0x4e,
  idle: 0x4f,
} as const;

export type ChipReplyKind = keyof typeof ChipReply;

const KIND_BY_BYTE = new Map<number, ChipReplyKind>(
  (Object.entries(ChipReply) as [ChipReplyKind, number][]).map(([kind, byte]) => [byte, kind]),
);

/** Pure: maps every reply byte in `bytes` to its kind, skipping unknown bytes. Never throws. */
export function parseChipReplies(bytes: Uint8Array): ChipReplyKind[] {
  const out: ChipReplyKind[] = [];
  for (const b of bytes) {
    const kind = KIND_BY_BYTE.get(b);
    if (kind !== undefined) out.push(kind);
  }
  return out;
}

/** XOR of every byte in `bytes[from, to)`. */
export function xor(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return x;
}

/** The text encodings selectable in the frame's parameter/encoding byte, by their code. */
export const TextEncoding = { gb2312: 0, gbk: 1, big5: 2, unicode: 3 } as const;
export type TextEncodingName = keyof typeof TextEncoding;

/** iconv-lite names for the byte encodings we produce and decode (Unicode's byte order differs
 * between chip models and is not in the public sources we checked, so it is not offered). */
export const ICONV_NAME: Record<Exclude<TextEncodingName, 'unicode'>, string> = {
  gb2312: 'gb2312',
  gbk: 'gbk',
  big5: 'big5',
};

export function encodingName(code: number): TextEncodingName | undefined {
  return (Object.entries(TextEncoding) as [TextEncodingName, number][]).find(([, c]) => c === code)?.[0];
}
