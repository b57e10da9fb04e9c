/**
 * Settings that exist for tests and demos only — today: face checks without liveness (a fake camera
 * showing a still photo cannot blink). A packaged build refuses to start with one; any other build
 * runs, warns, and tells the central with a `device.config_warning` sync event, so the supervisors
 * see a device whose face checks a photo could pass.
 *
 * Pure: the device identity is reached through the small interface below.
 */

export interface TestOnlySetting {
  /** The config key, e.g. "livenessChallenges". */
  readonly setting: string;
  readonly value: string | number | boolean;
  readonly zh: string;
  readonly en: string;
}

export const CONFIG_WARNING_EVENT = 'device.config_warning';

export class TestOnlySettingRefused extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
    this.name = 'TestOnlySettingRefused';
  }
}

/** Throws (zh-CN first, English second) when a packaged build is configured with a test-only setting. */
export function refuseTestOnlySettingsWhenPackaged(settings: readonly TestOnlySetting[], isPackaged: boolean): void {
  if (!isPackaged || settings.length === 0) return;
  const zh = settings.map((s) => `${s.setting}=${String(s.value)}：${s.zh}`).join('；');
  const en = settings.map((s) => `${s.setting}=${String(s.value)}: ${s.en}`).join('; ');
  throw new TestOnlySettingRefused(
    `正式安装包拒绝仅供测试的配置（${zh}）。请从配置文件中删除该项后重新启动。`,
    `a packaged build refuses test-only settings (${en}). Remove them from the config file and start again.`,
  );
}

/** What reportTestOnlySettings needs of the device identity (DeviceIdentityService has it). */
export interface ConfigWarningSink {
  status(): { provisioning: string };
  onChange(listener: (status: { provisioning: string }) => void): () => void;
  recordEvent(type: string, payload: Record<string, string | number | boolean>): unknown;
}

/**
 * Logs each test-only setting and records one `device.config_warning` per setting for this start: at
 * once when the device is enrolled, otherwise as soon as it is. Returns a function that stops waiting.
 */
export function reportTestOnlySettings(
  sink: ConfigWarningSink,
  settings: readonly TestOnlySetting[],
  context: { app: string; log?: (message: string) => void },
): () => void {
  if (settings.length === 0) return () => undefined;
  const log = context.log ?? ((message: string) => console.warn(message));
  for (const s of settings) log(`[${context.app}] ${s.setting}=${String(s.value)}: ${s.en} / ${s.zh}`);

  let recorded = false;
  const record = () => {
    if (recorded) return;
    recorded = true;
    for (const s of settings) {
      try {
        sink.recordEvent(CONFIG_WARNING_EVENT, { setting: s.setting, value: s.value, message: s.en });
      } catch (error) {
        log(`[${context.app}] ${CONFIG_WARNING_EVENT} not recorded: ${(error as Error).message}`);
      }
    }
  };
  if (sink.status().provisioning === 'enrolled') {
    record();
    return () => undefined;
  }
  const stop = sink.onChange((status) => {
    if (status.provisioning !== 'enrolled') return;
    stop();
    record();
  });
  return stop;
}
