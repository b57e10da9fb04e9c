import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDispatcher, defineContract, EventHub } from '../src/contract/contract.ts';
import { ApiError } from '../src/errors.ts';
import { boothContract } from '../src/contract/booth.contract.ts';

const contract = defineContract(
  'test',
  {
    add: { input: z.object({ a: z.number(), b: z.number() }).strict(), output: z.object({ sum: z.number() }) },
    refuse: { input: z.object({}).strict(), output: z.object({}) },
    broken: { input: z.object({}).strict(), output: z.object({ n: z.number() }) },
    crash: { input: z.object({}).strict(), output: z.object({}) },
  },
  { tick: z.object({ n: z.number().int() }) },
);

const quietLogger = { error: () => undefined };
const dispatch = createDispatcher(
  contract,
  {
    add: async ({ a, b }) => ({ sum: a + b }),
    refuse: async () => {
      throw new ApiError('ENROL_CODE_USED', 'already used');
    },
    broken: async () => ({ n: 'not a number' }) as unknown as { n: number },
    crash: async () => {
      throw new Error('secret internal detail');
    },
  },
  quietLogger,
);

describe('dispatcher', () => {
  it('runs a valid call and returns its output', async () => {
    expect(await dispatch('add', { a: 2, b: 3 })).toEqual({ ok: true, value: { sum: 5 } });
  });

  it('refuses an unknown call, including inherited property names', async () => {
    for (const name of ['nope', 'toString', '__proto__', 42, null]) {
      const result = await dispatch(name, {});
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('UNKNOWN_CALL');
    }
  });

  it('refuses bad input with BAD_INPUT naming the field, and never runs the service', async () => {
    const result = await dispatch('add', { a: 'two', b: 3 });
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    if (!result.ok) expect(result.error.message).toContain('a:');
    expect((await dispatch('add', { a: 1, b: 2, extra: true })).ok).toBe(false);
    expect((await dispatch('add', undefined)).ok).toBe(false);
  });

  it('keeps a typed ApiError code across the boundary', async () => {
    expect(await dispatch('refuse', {})).toEqual({
      ok: false,
      error: { code: 'ENROL_CODE_USED', message: 'already used' },
    });
  });

  it('turns a contract-breaking output or a crash into INTERNAL without leaking details', async () => {
    expect(await dispatch('broken', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const crash = await dispatch('crash', {});
    expect(crash).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(crash)).not.toContain('secret internal detail');
  });
});

describe('event hub', () => {
  it('delivers valid payloads and refuses invalid ones before they leave', () => {
    const hub = new EventHub(contract);
    const seen: unknown[] = [];
    const off = hub.subscribe((channel, payload) => seen.push([channel, payload]));
    hub.emit('tick', { n: 1 });
    expect(() => hub.emit('tick', { n: 1.5 })).toThrow(ApiError);
    off();
    hub.emit('tick', { n: 2 });
    expect(seen).toEqual([['tick', { n: 1 }]]);
  });
});

describe('device contracts', () => {
  it('normalises what a technician types', () => {
    const parsed = boothContract.calls.enrol.input.parse({
      centralUrl: ' 10.0.0.5:8600/ ',
      code: 'abcd efgh',
      centralFingerprint: '3F2A 9C01:B7D4-E5F6 0718 293A 4B5C 6D7E',
    });
    expect(parsed).toEqual({ centralUrl: 'https://10.0.0.5:8600', code: 'ABCDEFGH', centralFingerprint: '3f2a9c01b7d4e5f60718293a4b5c6d7e' });
  });

  it('refuses addresses and codes that cannot be right', () => {
    const fp = '3f2a9c01b7d4e5f60718293a4b5c6d7e';
    const bad = [
      { centralUrl: 'ftp://10.0.0.5', code: 'ABCDEFGH', centralFingerprint: fp },
      { centralUrl: 'https://10.0.0.5/?x=1', code: 'ABCDEFGH', centralFingerprint: fp },
      { centralUrl: 'http://10.0.0.5:8600', code: 'ABCDEFGH', centralFingerprint: fp }, // never in clear
      { centralUrl: '', code: 'ABCDEFGH', centralFingerprint: fp },
      { centralUrl: '10.0.0.5', code: 'ABCD', centralFingerprint: fp },
      { centralUrl: '10.0.0.5', code: 'ABCD-EFG0', centralFingerprint: fp }, // 0 is not in the alphabet
      { centralUrl: '10.0.0.5', code: 'ABCDEFGH' }, // no fingerprint
      { centralUrl: '10.0.0.5', code: 'ABCDEFGH', centralFingerprint: fp.slice(0, 31) }, // under 128 bits
      { centralUrl: '10.0.0.5', code: 'ABCDEFGH', centralFingerprint: `${fp.slice(0, 31)}g` }, // not hex
    ];
    for (const input of bad) expect(boothContract.calls.enrol.input.safeParse(input).success).toBe(false);
  });
});
