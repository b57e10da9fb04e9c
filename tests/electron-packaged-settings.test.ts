/**
 * Test-only settings (liveness off): a packaged build refuses them with a zh/en error, any build that
 * runs with one reports it to the central as a `device.config_warning` sync event. The pure policy,
 * the two apps' config mappings, and the booth's real device log (SQLite) after it starts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONFIG_WARNING_EVENT,
  refuseTestOnlySettingsWhenPackaged,
  reportTestOnlySettings,
  TestOnlySettingRefused,
  type ConfigWarningSink,
} from '@kawei/shared/device/test-only-settings.ts';
import { boothTestOnlySettings, parseBoothConfig } from '../booth-client/src/services/booth-config.ts';
import { gateTestOnlySettings, parseGateConfig } from '../gate-kiosk/src/services/gate-config.ts';
import { enrolledBoothDir, openBooth, removeTempDirs } from '../booth-client/test/booth-test-kit.node.ts';

afterAll(() => removeTempDirs());

describe('which settings are test-only', () => {
  it('booth: livenessChallenges 0, nothing else', () => {
    expect(boothTestOnlySettings(parseBoothConfig({}))).toEqual([]);
    expect(boothTestOnlySettings(parseBoothConfig({ livenessChallenges: 1 }))).toEqual([]);
    expect(boothTestOnlySettings(parseBoothConfig({ livenessChallenges: 0 }))).toMatchObject([{ setting: 'livenessChallenges', value: 0 }]);
  });

  it("gate: an explicit liveness 'off'; the room door's default (off by role) is not a setting", () => {
    expect(gateTestOnlySettings(parseGateConfig({}))).toEqual([]);
    expect(gateTestOnlySettings(parseGateConfig({ liveness: 'active' }))).toEqual([]);
    expect(gateTestOnlySettings(parseGateConfig({ liveness: 'off' }))).toMatchObject([{ setting: 'liveness', value: 'off' }]);
  });
});

describe('refuseTestOnlySettingsWhenPackaged', () => {
  const off = boothTestOnlySettings(parseBoothConfig({ livenessChallenges: 0 }));

  it('refuses a packaged build with a Chinese and an English message naming the setting', () => {
    let error: unknown;
    try {
      refuseTestOnlySettingsWhenPackaged(off, true);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TestOnlySettingRefused);
    const refused = error as TestOnlySettingRefused;
    expect(refused.zh).toMatch(/^正式安装包拒绝仅供测试的配置（livenessChallenges=0：/);
    expect(refused.en).toMatch(/^a packaged build refuses test-only settings \(livenessChallenges=0: /);
    expect(refused.message).toBe(`${refused.zh} / ${refused.en}`);
  });

  it('lets an unpackaged build, and a packaged one without such settings, start', () => {
    expect(() => refuseTestOnlySettingsWhenPackaged(off, false)).not.toThrow();
    expect(() => refuseTestOnlySettingsWhenPackaged([], true)).not.toThrow();
  });
});

describe('reportTestOnlySettings', () => {
  const off = boothTestOnlySettings(parseBoothConfig({ livenessChallenges: 0 }));

  function sink(provisioning: string) {
    const listeners = new Set<(s: { provisioning: string }) => void>();
    const recorded: { type: string; payload: Record<string, unknown> }[] = [];
    let state = provisioning;
    const s: ConfigWarningSink & { enrol(): void; recorded: typeof recorded; listeners: typeof listeners } = {
      status: () => ({ provisioning: state }),
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      recordEvent(type, payload) {
        if (state !== 'enrolled') throw new Error('NOT_ENROLLED');
        recorded.push({ type, payload });
      },
      enrol() {
        state = 'enrolled';
        for (const l of [...listeners]) l({ provisioning: state });
        for (const l of [...listeners]) l({ provisioning: state });
      },
      recorded,
      listeners,
    };
    return s;
  }

  it('records one device.config_warning at once on an enrolled device', () => {
    const enrolled = sink('enrolled');
    const logged: string[] = [];
    reportTestOnlySettings(enrolled, off, { app: 'booth', log: (m) => logged.push(m) });
    expect(enrolled.recorded).toEqual([
      { type: CONFIG_WARNING_EVENT, payload: { setting: 'livenessChallenges', value: 0, message: off[0]!.en } },
    ]);
    expect(logged[0]).toMatch(/^\[booth\] livenessChallenges=0: /);
  });

  it('waits for the enrolment of a new device, then records exactly once', () => {
    const fresh = sink('unprovisioned');
    reportTestOnlySettings(fresh, off, { app: 'booth', log: () => undefined });
    expect(fresh.recorded).toEqual([]);
    fresh.enrol();
    expect(fresh.recorded.map((r) => r.type)).toEqual([CONFIG_WARNING_EVENT]);
    expect(fresh.listeners.size).toBe(0);
  });

  it('records nothing when there is nothing to report', () => {
    const enrolled = sink('enrolled');
    reportTestOnlySettings(enrolled, [], { app: 'gate' });
    expect(enrolled.recorded).toEqual([]);
  });
});

describe('booth services with liveness off', () => {
  it("append device.config_warning to the enrolled booth's sync log (sent to the central like every event)", async () => {
    const booth = openBooth(enrolledBoothDir({}), Promise.reject(new Error('no face pipeline in this test')), { livenessChallenges: 0 });
    try {
      expect(booth.events(CONFIG_WARNING_EVENT)).toMatchObject([{ payload: { setting: 'livenessChallenges', value: 0 } }]);
    } finally {
      await booth.services.close();
    }
    const liveness = openBooth(enrolledBoothDir({}), Promise.reject(new Error('no face pipeline in this test')), { livenessChallenges: 3 });
    try {
      expect(liveness.events(CONFIG_WARNING_EVENT)).toEqual([]);
    } finally {
      await liveness.services.close();
    }
  });
});
