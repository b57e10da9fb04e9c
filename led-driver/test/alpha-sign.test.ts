import { describe, expect, it } from 'vitest';
import { AlphaParser, alphaLabelForArea, encodeAlphaWriteText } from '../src/alpha/alpha-sign.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));

describe('Alpha write text, written out by hand', () => {
  it('broadcast "A5" to file A, middle, hold, five NULs', () => {
    // NUL×5 SOH 'Z' '0' '0' STX 'A' 'A' ESC ' ' 'b' 'A' '5' EOT
    const wire = hex('00 00 00 00 00 01 5A 30 30 02 41 41 1B 20 62 41 35 04');
    expect(encodeAlphaWriteText('A', 'A5', { nulCount: 5 })).toEqual(wire);
    const [p] = new AlphaParser().push(wire);
    expect(p).toMatchObject({ typeCode: 'Z', address: '00', command: 'A', label: 'A', text: 'A5', position: 0x20, mode: 'b', checksumOk: null });
  });
  it('with checksum: ETX and four hex digits of the sum STX..ETX', () => {
    // STX..ETX: 02+41+42+1B+22+61+48+49+03 = 0x01B7
    const wire = hex('00 01 31 30 31 02 41 42 1B 22 61 48 49 03 30 31 42 37 04');
    expect(encodeAlphaWriteText('B', 'HI', { nulCount: 1, typeCode: '1', address: '01', position: 'top', mode: 'rotate', checksum: true })).toEqual(wire);
    expect(new AlphaParser().push(wire)[0]?.checksumOk).toBe(true);
    const bad = wire.slice();
    bad[16] = 0x43; // 'B' → 'C'
    const parser = new AlphaParser();
    expect(parser.push(bad)).toEqual([]);
    expect(parser.stats.rejected).toBe(1);
  });
  it('non-ASCII becomes ? (7-bit signs) and labels follow areas', () => {
    const [p] = new AlphaParser().push(encodeAlphaWriteText(alphaLabelForArea(2), '3号评标室 A5'));
    expect(p?.label).toBe('C');
    expect(p?.text).toBe('3???? A5');
  });
});
