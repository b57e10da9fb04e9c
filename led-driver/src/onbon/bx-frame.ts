/**
 * Onbon BX-5/BX-6 ("dual") wire framing, after onbonlab/bx.dual.dyn.java:
 * BxFrameWrapper.java (8 × 0xA5, escaped body, 0x5A; escapes A5→A6 02, A6→A6 01, 5A→5B 02,
 * 5B→5B 01), BxFrameHeader.java (16-byte little-endian header), BxReq.java (request body:
 * header, data length = data + 3, response flag, command group, command, data, CRC16 LE),
 * BxResp.java (reply body), BxUtils.java (CRC16 table: reflected 0xA001, initial value 0, i.e.
 * CRC-16/ARC) and BxCmdCode.java (command codes).
 */

export const BX_FRAME_START = 0xa5;
export const BX_FRAME_END = 0x5a;
export const BX_PREAMBLE_LENGTH = 8;
export const BX_HEADER_LENGTH = 16;

export const BX_BROADCAST_ADDRESS = 0xffff;
export const BX_HOST_ADDRESS = 0x8000;
export const BX_PROTOCOL_VERSION = 0xf0;
export const BX_DEFAULT_DEVICE_TYPE = 0x0266;

/** Command group / command pairs from BxCmdCode.java. */
export const BxCmd = {
  ack: { group: 0xa0, command: 0x00 },
  nack: { group: 0xa0, command: 0x01 },
  sendDynamicArea: { group: 0xa7, command: 0x00 },
  deleteDynamicAreas: { group: 0xa7, command: 0x01 },
} as const;

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[i] = c;
  }
  return table;
})();

/** CRC16 as BxUtils.CRC16 computes it (table-driven, reflected polynomial 0xA001, init 0). */
export function bxCrc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0);
  return crc & 0xffff;
}

/** Escape a body (no preamble, no end byte). */
export function bxEscape(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of body) {
    if (b === 0xa5) out.push(0xa6, 0x02);
    else if (b === 0xa6) out.push(0xa6, 0x01);
    else if (b === 0x5a) out.push(0x5b, 0x02);
    else if (b === 0x5b) out.push(0x5b, 0x01);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

/** Undo bxEscape; null on a raw A5/5A or an escape byte not followed by 01/02. */
export function bxUnescape(escaped: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(escaped.length);
  let n = 0;
  for (let i = 0; i < escaped.length; i++) {
    const b = escaped[i] as number;
    if (b === 0xa5 || b === 0x5a) return null;
    if (b === 0xa6 || b === 0x5b) {
      const next = escaped[i + 1];
      if (next === 0x01) out[n++] = b;
      else if (next === 0x02) out[n++] = b === 0xa6 ? 0xa5 : 0x5a;
      else return null;
      i++;
    } else out[n++] = b;
  }
  return out.slice(0, n);
}

/** Preamble + escaped body + end byte, as BxFrameWrapper.wrap. */
export function bxWrap(body: Uint8Array): Uint8Array {
  const esc = bxEscape(body);
  const out = new Uint8Array(BX_PREAMBLE_LENGTH + esc.length + 1);
  out.fill(BX_FRAME_START, 0, BX_PREAMBLE_LENGTH);
  out.set(esc, BX_PREAMBLE_LENGTH);
  out[out.length - 1] = BX_FRAME_END;
  return out;
}

export interface BxHeader {
  dst: number;
  src: number;
  protocolVersion: number;
  deviceType: number;
  /** Bytes after the header, before the CRC. */
  dataLength: number;
}

export function encodeBxHeader(h: BxHeader): Uint8Array {
  const out = new Uint8Array(BX_HEADER_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint16(0, h.dst, true);
  v.setUint16(2, h.src, true);
  out[4] = h.protocolVersion;
  out[5] = 0; // reserved
  v.setUint16(6, h.deviceType, true);
  // 8..11 reserved
  v.setUint32(12, h.dataLength >>> 0, true);
  return out;
}

export function decodeBxHeader(body: Uint8Array): BxHeader | null {
  if (body.length < BX_HEADER_LENGTH) return null;
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    dst: v.getUint16(0, true),
    src: v.getUint16(2, true),
    protocolVersion: body[4] as number,
    deviceType: v.getUint16(6, true),
    dataLength: v.getUint32(12, true),
  };
}

/** Append the CRC16 (little-endian) to header + payload. */
function withCrc(bodyNoCrc: Uint8Array): Uint8Array {
  const out = new Uint8Array(bodyNoCrc.length + 2);
  out.set(bodyNoCrc);
  const crc = bxCrc16(bodyNoCrc);
  out[bodyNoCrc.length] = crc & 0xff;
  out[bodyNoCrc.length + 1] = crc >>> 8;
  return out;
}

export interface BxRequestOptions {
  dst?: number;
  src?: number;
  deviceType?: number;
  /** Ask the controller for a reply frame (BxReq sets this to true). */
  responseRequested?: boolean;
}

/** Unescaped request body (header, flag, group, command, data, CRC), as BxReq.pack before wrap. */
export function encodeBxRequestBody(group: number, command: number, data: Uint8Array, o: BxRequestOptions = {}): Uint8Array {
  const header = encodeBxHeader({
    dst: o.dst ?? BX_BROADCAST_ADDRESS,
    src: o.src ?? BX_HOST_ADDRESS,
    protocolVersion: BX_PROTOCOL_VERSION,
    deviceType: o.deviceType ?? BX_DEFAULT_DEVICE_TYPE,
    dataLength: data.length + 3,
  });
  const body = new Uint8Array(BX_HEADER_LENGTH + 3 + data.length);
  body.set(header);
  body[16] = (o.responseRequested ?? true) ? 1 : 0;
  body[17] = group;
  body[18] = command;
  body.set(data, 19);
  return withCrc(body);
}

export function encodeBxRequest(group: number, command: number, data: Uint8Array, o: BxRequestOptions = {}): Uint8Array {
  return bxWrap(encodeBxRequestBody(group, command, data, o));
}

export interface BxResponseOptions {
  status?: number;
  error?: number;
  data?: Uint8Array;
  /** The replying controller's address (goes in src); dst is the host. */
  src?: number;
  dst?: number;
  deviceType?: number;
}

/** A controller reply, laid out as BxResp.parse reads it: header, reserved, group, command,
 * status (2), error (2), data length (2), data, CRC. The header's data length and addresses are
 * not read by BxResp; we fill them the same way as a request (assumption). */
export function encodeBxResponse(group: number, command: number, o: BxResponseOptions = {}): Uint8Array {
  const data = o.data ?? new Uint8Array(0);
  const payloadLength = 1 + 2 + 2 + 2 + 2 + data.length;
  const body = new Uint8Array(BX_HEADER_LENGTH + payloadLength);
  body.set(
    encodeBxHeader({
      dst: o.dst ?? BX_HOST_ADDRESS,
      src: o.src ?? 0x0001,
      protocolVersion: BX_PROTOCOL_VERSION,
      deviceType: o.deviceType ?? BX_DEFAULT_DEVICE_TYPE,
      dataLength: payloadLength,
    }),
  );
  const v = new DataView(body.buffer);
  body[16] = 0;
  body[17] = group;
  body[18] = command;
  v.setUint16(19, o.status ?? 0, true);
  v.setUint16(21, o.error ?? 0, true);
  v.setUint16(23, data.length, true);
  body.set(data, 25);
  return bxWrap(withCrc(body));
}

/** One checked frame: header plus the bytes between header and CRC. Byte 0 of the payload is
 * the response flag in a request and reserved in a reply; bytes 1 and 2 are group and command. */
export interface BxFrame {
  header: BxHeader;
  group: number;
  command: number;
  payload: Uint8Array;
}

/** Minimum unescaped body: header, flag/reserved, group, command, CRC. */
export const BX_MIN_BODY = BX_HEADER_LENGTH + 3 + 2;

/** Check the CRC of an unescaped body and split it; null if short or corrupt. */
export function decodeBxBody(body: Uint8Array): BxFrame | null {
  if (body.length < BX_MIN_BODY) return null;
  const end = body.length - 2;
  const crc = (body[end] as number) | ((body[end + 1] as number) << 8);
  if (crc !== bxCrc16(body, 0, end)) return null;
  const header = decodeBxHeader(body);
  if (!header) return null;
  return { header, group: body[17] as number, command: body[18] as number, payload: body.slice(16, end) };
}

/** A request's data (after flag, group, command). */
export function bxRequestData(frame: BxFrame): Uint8Array {
  return frame.payload.subarray(3);
}

export interface BxReply {
  group: number;
  command: number;
  status: number;
  error: number;
  data: Uint8Array;
}

/** Read a reply payload as BxResp does; null if it is too short. */
export function decodeBxReply(frame: BxFrame): BxReply | null {
  const p = frame.payload;
  if (p.length < 9) return null;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const len = v.getUint16(7, true);
  if (p.length < 9 + len) return null;
  return { group: frame.group, command: frame.command, status: v.getUint16(3, true), error: v.getUint16(5, true), data: p.slice(9, 9 + len) };
}

export function isBxAck(frame: BxFrame): boolean {
  return frame.group === BxCmd.ack.group && frame.command === BxCmd.ack.command;
}
