import { describe, expect, it } from 'vitest';
import {
  decodeCardText,
  encodeCardText,
  idCheckChar,
  isValidIdNumber,
  NATION_NAMES,
} from '../../src/devices/idcard/idcard-text.ts';
import { TEST_CARD } from '../../src/devices/idcard/idcard-simulator.ts';

/** Writes a UCS-2 LE string at an offset, space-padded to size. */
function put(block: Uint8Array, offset: number, size: number, s: string): void {
  for (let i = 0; i < size / 2; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x20;
    block[offset + 2 * i] = c & 0xff;
    block[offset + 2 * i + 1] = c >> 8;
  }
}

describe('ID card text block', () => {
  it('decodes the fields at their offsets (30, 2, 4, 16, 70, 36, 30, 16, 16)', () => {
    const b = new Uint8Array(256);
    // 测试 = U+6D4B U+8BD5, little-endian.
    b.set([0x4b, 0x6d, 0xd5, 0x8b], 0);
    for (let i = 4; i < 30; i += 2) b.set([0x20, 0x00], i);
    put(b, 30, 2, '1');
    put(b, 32, 4, '03');
    put(b, 36, 16, '20000101');
    put(b, 52, 70, '测试路1号');
    put(b, 122, 36, '11010520000101999' + '3');
    put(b, 158, 30, '测试局');
    put(b, 188, 16, '20200101');
    put(b, 204, 16, '长期');
    const t = decodeCardText(b);
    expect(t).toMatchObject({
      name: '测试',
      sexCode: '1',
      sex: '男',
      nationCode: '03',
      nation: '回',
      birth: '2000-01-01',
      address: '测试路1号',
      idNumber: '110105200001019993',
      idNumberValid: true,
      issuer: '测试局',
      validFrom: '2020-01-01',
      validTo: '长期',
    });
  });

  it('round-trips the simulator test card, sex 2 → 女', () => {
    const t = decodeCardText(encodeCardText(TEST_CARD.text));
    expect(t.name).toBe('测试样卡');
    expect(t.sex).toBe('女');
    expect(t.nation).toBe('汉');
    expect(t.idNumberValid).toBe(true);
  });

  it('has the full nation table (56 + 97, 98)', () => {
    expect(Object.keys(NATION_NAMES)).toHaveLength(58);
    expect(NATION_NAMES['56']).toBe('基诺');
  });
});

describe('ID number check character (ISO 7064 MOD 11-2)', () => {
  it('matches the worked example of GB 11643 and a synthetic number', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105200001019993')).toBe(true);
    expect(TEST_CARD.text.idNumber).toBe('110105200001019993');
  });

  it('rejects a wrong check character, wrong length and letters', () => {
    expect(isValidIdNumber('110105200001019994')).toBe(false);
    expect(isValidIdNumber('11010519491231002x')).toBe(false);
    expect(isValidIdNumber('11010520000101999')).toBe(false);
    expect(isValidIdNumber('1101052000010199A3')).toBe(false);
    expect(idCheckChar('1234')).toBeNull();
  });

  it('catches every single-digit substitution', () => {
    const good = '110105200001019993';
    for (let i = 0; i < 17; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === good[i]) continue;
        expect(isValidIdNumber(good.slice(0, i) + d + good.slice(i + 1))).toBe(false);
      }
    }
  });
});
