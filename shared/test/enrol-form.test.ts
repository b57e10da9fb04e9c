import { describe, expect, it } from 'vitest';
import { translatorFor } from '../src/i18n/messages.ts';
import { checkEnrolForm, formatCodeInput, formatFingerprintInput } from '../src/ui/enrol-form.ts';

const t = translatorFor('zh-CN');

describe('formatCodeInput', () => {
  it('upper-cases, drops separators and puts a dash after four characters', () => {
    expect(formatCodeInput('abcd')).toBe('ABCD');
    expect(formatCodeInput('abcde')).toBe('ABCD-E');
    expect(formatCodeInput('abcd efgh')).toBe('ABCD-EFGH');
    expect(formatCodeInput('ab-cd-ef-gh')).toBe('ABCD-EFGH');
    expect(formatCodeInput('ABCD-')).toBe('ABCD');
  });

  it('stops at eight characters', () => {
    expect(formatCodeInput('ABCDEFGHJK')).toBe('ABCD-EFGH');
  });

  it('keeps characters outside the alphabet so validation can name them', () => {
    expect(formatCodeInput('o0i1')).toBe('O0I1');
  });
});

describe('formatFingerprintInput', () => {
  it('shows upper-case hex in groups of four, whatever separators were pasted', () => {
    expect(formatFingerprintInput('3f2a9c01b7')).toBe('3F2A 9C01 B7');
    expect(formatFingerprintInput('3F:2A:9C:01')).toBe('3F2A 9C01');
    expect(formatFingerprintInput('3f2a-9c01 ')).toBe('3F2A 9C01');
  });

  it('stops at the full 64 digits', () => {
    expect(formatFingerprintInput('a'.repeat(70)).replace(/ /g, '')).toHaveLength(64);
  });
});

const FP = '3F2A 9C01 B7D4 E5F6 0718 293A 4B5C 6D7E';

describe('checkEnrolForm', () => {
  it('accepts a host:port, a code in any case and a fingerprint, and sends code and fingerprint bare', () => {
    expect(checkEnrolForm({ centralUrl: ' 10.0.0.5:8600 ', code: 'abcd-efgh', centralFingerprint: FP }, t)).toEqual({
      errors: {},
      input: { centralUrl: '10.0.0.5:8600', code: 'ABCDEFGH', centralFingerprint: '3f2a9c01b7d4e5f60718293a4b5c6d7e' },
    });
  });

  it('asks for missing fields', () => {
    const check = checkEnrolForm({ centralUrl: '', code: '', centralFingerprint: '' }, t);
    expect(check.input).toBeNull();
    expect(check.errors).toEqual({
      centralUrl: '请输入中心服务器地址',
      code: '请输入注册码',
      centralFingerprint: '请输入中心服务器密钥指纹（与注册码一同打印）',
    });
  });

  it('explains a bad address, a short code and a code with look-alike characters', () => {
    expect(checkEnrolForm({ centralUrl: 'ftp://x', code: 'ABCD-EFG', centralFingerprint: FP }, t).errors).toEqual({
      centralUrl: t('enrol.validation.centralUrl.invalid'),
      code: '注册码应为 8 位（当前 7 位）',
    });
    expect(checkEnrolForm({ centralUrl: '10.0.0.5', code: 'ABCD-EFG0', centralFingerprint: FP }, t).errors).toEqual({
      code: t('enrol.validation.code.chars'),
    });
  });

  it('refuses plain http and explains a short or non-hex fingerprint', () => {
    expect(checkEnrolForm({ centralUrl: 'http://10.0.0.5:8600', code: 'ABCD-EFGH', centralFingerprint: FP }, t).errors).toEqual({
      centralUrl: t('enrol.validation.centralUrl.invalid'),
    });
    expect(checkEnrolForm({ centralUrl: '10.0.0.5', code: 'ABCD-EFGH', centralFingerprint: '3F2A 9C01' }, t).errors).toEqual({
      centralFingerprint: '指纹至少 32 位、至多 64 位（当前 8 位）',
    });
    expect(checkEnrolForm({ centralUrl: '10.0.0.5', code: 'ABCD-EFGH', centralFingerprint: `${FP} XYZ` }, t).errors).toEqual({
      centralFingerprint: t('enrol.validation.fingerprint.chars'),
    });
  });
});
