import { describe, expect, it } from 'vitest';
import { translatorFor } from '../src/i18n/messages.ts';
import { checkEnrolForm, formatCodeInput } from '../src/ui/enrol-form.ts';

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

describe('checkEnrolForm', () => {
  it('accepts a host:port and a code in any case, and sends the code without the dash', () => {
    expect(checkEnrolForm({ centralUrl: ' 10.0.0.5:8600 ', code: 'abcd-efgh' }, t)).toEqual({
      errors: {},
      input: { centralUrl: '10.0.0.5:8600', code: 'ABCDEFGH' },
    });
  });

  it('asks for missing fields', () => {
    const check = checkEnrolForm({ centralUrl: '', code: '' }, t);
    expect(check.input).toBeNull();
    expect(check.errors).toEqual({ centralUrl: '请输入中心服务器地址', code: '请输入注册码' });
  });

  it('explains a bad address, a short code and a code with look-alike characters', () => {
    expect(checkEnrolForm({ centralUrl: 'ftp://x', code: 'ABCD-EFG' }, t).errors).toEqual({
      centralUrl: t('enrol.validation.centralUrl.invalid'),
      code: '注册码应为 8 位（当前 7 位）',
    });
    expect(checkEnrolForm({ centralUrl: '10.0.0.5', code: 'ABCD-EFG0' }, t).errors).toEqual({
      code: t('enrol.validation.code.chars'),
    });
  });
});
