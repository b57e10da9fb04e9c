import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GateConfigError, loadGateConfig, parseGateConfig } from '../src/services/gate-config.ts';

describe('gate config', () => {
  it('fills defaults: no devices, 4 s cool-down, no ID card, liveness by role', () => {
    expect(loadGateConfig(undefined)).toEqual({ cooldownMs: 4000, idCard: 'off', devices: {} });
  });

  it('fills device defaults at their real baud rates', () => {
    const c = parseGateConfig({ devices: { led: { path: '/dev/serial/by-id/led' }, relay: { path: '/dev/serial/by-id/relay' }, voice: { chip: 'xfs5152', path: '/dev/x' } } });
    expect(c.devices.led).toMatchObject({ baud: 57600, protocol: 'onbon-bx', area: 0, clearAfterMs: 15_000 });
    expect(c.devices.relay).toMatchObject({ baud: 9600, slave: 1, coil: 0, pulseMs: 800 });
    expect(c.devices.voice).toMatchObject({ baud: 9600, volume: 8, speed: 4 });
  });

  it('names the bad field in Chinese and English', () => {
    const bad = () => parseGateConfig({ devices: { relay: { path: '/dev/x', baud: 9601 } } });
    expect(bad).toThrow(GateConfigError);
    expect(bad).toThrow(/闸机配置有误.*devices\.relay\.baud/);
    expect(() => parseGateConfig({ lvieness: 'off' })).toThrow(/lvieness/); // unknown keys are typos
  });

  it('explains an unreadable or non-JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kawei-gate-config-'));
    expect(() => loadGateConfig(join(dir, 'missing.json'))).toThrow(/无法读取闸机配置文件/);
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ devices: ');
    expect(() => loadGateConfig(file)).toThrow(/不是有效的 JSON/);
  });
});
