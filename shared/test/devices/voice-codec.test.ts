import { describe, expect, it } from 'vitest';
import { parseChipReplies } from '../../src/devices/voice/chip-status.ts';
import {
  SYN6288_PAUSE,
  SYN6288_POWER_DOWN,
  SYN6288_RESUME,
  SYN6288_STATUS,
  SYN6288_STOP,
  Syn6288Parser,
  encodeSyn6288Text,
} from '../../src/devices/voice/syn6288.ts';
import {
  XFS5152_STATUS,
  XFS5152_STOP,
  Xfs5152Parser,
  encodeXfs5152Text,
  stripXfs5152Tags,
} from '../../src/devices/voice/xfs5152.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

// "请到3号评标室A5号卡位" in GB2312, written out independently (Python's gb2312 codec).
const SEAT_GB2312 = 'C7 EB B5 BD 33 BA C5 C6 C0 B1 EA CA D2 41 35 BA C5 BF A8 CE BB';

describe('SYN6288 frames, written out from the public layout', () => {
  it('control frames are byte-exact', () => {
    expect(SYN6288_STOP).toEqual(hex('FD 00 02 02 FD'));
    expect(SYN6288_PAUSE).toEqual(hex('FD 00 02 03 FC'));
    expect(SYN6288_RESUME).toEqual(hex('FD 00 02 04 FB'));
    expect(SYN6288_STATUS).toEqual(hex('FD 00 02 21 DE'));
    expect(SYN6288_POWER_DOWN).toEqual(hex('FD 00 02 88 77'));
  });

  it('synthesises GB2312 text with length and XOR check (the vendor demo frame for 宇音天下)', () => {
    expect(encodeSyn6288Text('宇音天下', { encoding: 'gb2312' })).toEqual(
      hex('FD 00 0B 01 00 D3 EE D2 F4 CC EC CF C2 C1'),
    );
  });

  it('synthesises the seat call in GBK: length 21 + 3, parameter 01, check A1', () => {
    expect(encodeSyn6288Text('请到3号评标室A5号卡位')).toEqual(hex(`FD 00 18 01 01 ${SEAT_GB2312} A1`));
  });

  it('puts background music in the high nibble of the parameter', () => {
    const frame = encodeSyn6288Text('A', { encoding: 'gbk', music: 2 });
    expect(frame[4]).toBe(0x21);
    expect(frame[frame.length - 1]).toBe(0xfd ^ 0x00 ^ 0x04 ^ 0x01 ^ 0x21 ^ 0x41);
  });

  it('refuses text over 200 bytes', () => {
    expect(() => encodeSyn6288Text('号'.repeat(101))).toThrow(RangeError);
    expect(() => encodeSyn6288Text('号'.repeat(100))).not.toThrow();
  });

  it('parses frames split across chunks and decodes the text', () => {
    const p = new Syn6288Parser();
    const bytes = hex(`00 FD 00 18 01 01 ${SEAT_GB2312} A1 FD 00 02 21 DE`);
    const frames = [...p.push(bytes.subarray(0, 7)), ...p.push(bytes.subarray(7))];
    expect(frames.map((f) => f.command)).toEqual([0x01, 0x21]);
    expect(frames[0]?.text).toBe('请到3号评标室A5号卡位');
    expect(frames[0]?.encoding).toBe(1);
  });

  it('drops a frame whose check byte is wrong and finds the next one', () => {
    const p = new Syn6288Parser();
    expect(p.push(hex('FD 00 02 02 FE FD 00 02 03 FC')).map((f) => f.command)).toEqual([0x03]);
  });
});

describe('XFS5152 frames, written out from the public layout', () => {
  it('has no check byte: status and stop are four bytes', () => {
    expect(XFS5152_STATUS).toEqual(hex('FD 00 01 21'));
    expect(XFS5152_STOP).toEqual(hex('FD 00 01 02'));
  });

  it('builds the volume frame FD 00 06 01 00 [v9]', () => {
    expect(encodeXfs5152Text('', { encoding: 'gb2312', volume: 9 })).toEqual(hex('FD 00 06 01 00 5B 76 39 5D'));
  });

  it('prefixes volume, speed and digit tags to the text', () => {
    const frame = encodeXfs5152Text('请到3号评标室A5号卡位', { volume: 9, speed: 5, digits: 1 });
    const tags = '5B 76 39 5D 5B 73 35 5D 5B 6E 31 5D';
    expect(frame).toEqual(hex(`FD 00 23 01 01 ${tags} ${SEAT_GB2312}`));
  });

  it('refuses out-of-range tags', () => {
    expect(() => encodeXfs5152Text('x', { volume: 11 })).toThrow(RangeError);
  });

  it('parses and strips tags', () => {
    const p = new Xfs5152Parser();
    const frames = p.push(hex(`FD 00 0F 01 00 5B 6E 31 5D ${SEAT_GB2312.split(' ').slice(0, 9).join(' ')} FD 00 01 21`));
    expect(frames.map((f) => f.command)).toEqual([0x01, 0x21]);
    expect(stripXfs5152Tags(frames[0]?.text ?? '')).toEqual({ text: '请到3号评', tags: ['[n1]'] });
  });
});

describe('chip replies', () => {
  it('maps the one-byte replies and skips noise', () => {
    expect(parseChipReplies(hex('4A 00 41 4E 99 4F 45'))).toEqual(['init', 'ack', 'busy', 'idle', 'error']);
  });
});
