/**
 * Pure: reading the header of a PCM WAV file, including one that was streamed (espeak-ng --stdout
 * cannot seek back, so it writes 0x7FFFF024 as the RIFF size and 0x7FFFF000 as the data size).
 */

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Offset of the first sample byte. */
  dataOffset: number;
  /** Sample bytes actually present (the declared size when it fits, else what the buffer holds). */
  dataBytes: number;
  durationMs: number;
}

const ascii = (bytes: Uint8Array, at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));

/** Parses a RIFF/WAVE PCM header; undefined when `bytes` is not one. Never throws. */
export function parseWav(bytes: Uint8Array): WavInfo | undefined {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { channels: number; sampleRate: number; bitsPerSample: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ' && body + 16 <= bytes.length) {
      fmt = { channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bitsPerSample: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (fmt === undefined || fmt.channels === 0 || fmt.sampleRate === 0 || fmt.bitsPerSample === 0) return undefined;
      const dataBytes = Math.min(size, bytes.length - body);
      const bytesPerSecond = fmt.sampleRate * fmt.channels * (fmt.bitsPerSample / 8);
      return { ...fmt, dataOffset: body, dataBytes, durationMs: (dataBytes / bytesPerSecond) * 1000 };
    }
    at = body + size + (size % 2);
  }
  return undefined;
}

/** A copy of a streamed WAV with the RIFF and data sizes set to what is really there. */
export function finishStreamedWav(bytes: Uint8Array): Uint8Array {
  const info = parseWav(bytes);
  // A plain Uint8Array copy: a Buffer's slice() would be a view sharing the input's memory.
  if (info === undefined) return new Uint8Array(bytes);
  const out = new Uint8Array(bytes.subarray(0, info.dataOffset + info.dataBytes));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(4, out.length - 8, true);
  view.setUint32(info.dataOffset - 4, info.dataBytes, true);
  return out;
}

/** Root mean square and peak of 16-bit little-endian mono samples, 0 … 32768. */
export function pcm16Level(bytes: Uint8Array): { rms: number; peak: number } {
  const info = parseWav(bytes);
  if (info === undefined || info.bitsPerSample !== 16 || info.dataBytes < 2) return { rms: 0, peak: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset + info.dataOffset, info.dataBytes - (info.dataBytes % 2));
  let sum = 0;
  let peak = 0;
  const n = view.byteLength / 2;
  for (let i = 0; i < n; i++) {
    const s = view.getInt16(i * 2, true);
    sum += s * s;
    peak = Math.max(peak, Math.abs(s));
  }
  return { rms: Math.sqrt(sum / n), peak };
}
