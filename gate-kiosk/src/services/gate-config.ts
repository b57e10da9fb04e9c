/**
 * The gate kiosk's local configuration, written by the technician who installs it (one JSON file,
 * `--config FILE`): which serial devices are fitted and where, how strict the face check is, and the
 * staff PIN (stored only as a scrypt hash). Validated with zod; every error names the field in
 * Chinese and English. Where the gate stands (entrance or room door) is not here: it comes from the
 * central at enrolment.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeZodError } from '@kawei/shared/errors.ts';
import type { TestOnlySetting } from '@kawei/shared/device/test-only-settings.ts';
import { messagePair, withEnglishDetail, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';

const path = z.string().min(1).max(512);
const baud = z.union([z.literal(1200), z.literal(2400), z.literal(4800), z.literal(9600), z.literal(19200), z.literal(38400), z.literal(57600), z.literal(115200)]);

export const ledConfigSchema = z.object({
  path,
  baud: baud.default(57600),
  protocol: z.enum(['onbon-bx', 'alpha']).default('onbon-bx'),
  /** BX controller address (screen number); the broadcast address when absent. */
  address: z.number().int().min(0).max(0xffff).optional(),
  area: z.number().int().min(0).max(31).default(0),
  /** Widest text the panel shows, in half-width cells (8 dots each): 16 = 128 dots. */
  maxCells: z.number().int().min(4).max(64).default(16),
  /** Blank the seat number again after this long. */
  clearAfterMs: z.number().int().min(1000).max(600_000).default(15_000),
});

export const voiceConfigSchema = z.object({
  chip: z.enum(['syn6288', 'xfs5152', 'espeak']),
  /** Serial path for the chips; unused for espeak (PC speakers). */
  path: path.optional(),
  baud: baud.default(9600),
  volume: z.number().int().min(0).max(10).default(8),
  /** Older experts: default on the slow side. */
  speed: z.number().int().min(0).max(10).default(4),
});

export const relayConfigSchema = z.object({
  path,
  baud: baud.default(9600),
  slave: z.number().int().min(1).max(247).default(1),
  /** The coil that opens the turnstile or door. */
  coil: z.number().int().min(0).max(65535).default(0),
  pulseMs: z.number().int().min(100).max(10_000).default(800),
  /** Discrete input of the passage sensor, if wired. */
  passageInput: z.number().int().min(0).max(65535).optional(),
});

export const idCardConfigSchema = z.object({ path, baud: baud.default(115200) });

export const gateDevicesConfigSchema = z.object({
  led: ledConfigSchema.optional(),
  voice: voiceConfigSchema.optional(),
  relay: relayConfigSchema.optional(),
  idcard: idCardConfigSchema.optional(),
});
export type GateDevicesConfig = z.output<typeof gateDevicesConfigSchema>;

export const gateConfigSchema = z
  .object({
    /** Active liveness: by role when absent (entrance on, room door off — the expert passed the
     * entrance's check minutes before). An explicit 'off' (also at the entrance) is test-only: a
     * packaged build refuses it, any other build warns and reports it (gateTestOnlySettings). */
    liveness: z.enum(['off', 'active']).optional(),
    /** After a decision, how long before the next person is checked (unless the face leaves). */
    cooldownMs: z.number().int().min(500).max(60_000).default(4000),
    /** scrypt hash from `hashStaffPin` (staff/staff-sessions.ts); no staff login without it. */
    staffPinHash: z.string().regex(/^scrypt\$/).optional(),
    /** 人证一致: 'optional' reads a card when one is placed and then checks its holder's face 1:1. */
    idCard: z.enum(['off', 'optional']).default('off'),
    devices: gateDevicesConfigSchema.default({}),
  })
  .strict();
export type GateConfig = z.output<typeof gateConfigSchema>;

export class GateConfigError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
    this.name = 'GateConfigError';
  }

  static of(pair: MessagePair): GateConfigError {
    return new GateConfigError(pair.zh, pair.en);
  }
}

export function parseGateConfig(raw: unknown, where = 'gate config'): GateConfig {
  const r = gateConfigSchema.safeParse(raw);
  if (!r.success) {
    const detail = describeZodError(r.error);
    throw GateConfigError.of(messagePair('gate.config.invalid', { where, detail }));
  }
  return r.data;
}

/** No file: defaults, no devices (the kiosk still checks faces and logs decisions). */
export function loadGateConfig(file: string | undefined): GateConfig {
  if (file === undefined) return parseGateConfig({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw GateConfigError.of(withEnglishDetail(messagePair('gate.config.unreadable', { file }), (e as Error).message));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw GateConfigError.of(withEnglishDetail(messagePair('gate.config.notJson', { file }), (e as Error).message));
  }
  return parseGateConfig(raw, file);
}

/** The config's test-only settings (device/test-only-settings.ts): liveness forced off for every role. */
export function gateTestOnlySettings(config: GateConfig): TestOnlySetting[] {
  if (config.liveness !== 'off') return [];
  return [
    {
      setting: 'liveness',
      value: 'off',
      ...messagePair('gate.config.livenessOff'),
    },
  ];
}
