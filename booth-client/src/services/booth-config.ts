/**
 * The booth's local configuration, written by the technician who installs it (one JSON file, host
 * `--config FILE`): where the USB-key driver is, which CAs are trusted, and how watchful the session
 * is. Validated with zod; every error names the field in Chinese and English. Who sits in the booth
 * and on which project is not here: that comes from the central (roster.booth, faces.booth,
 * project.booth).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeZodError } from '@kawei/shared/errors.ts';
import type { TestOnlySetting } from '@kawei/shared/device/test-only-settings.ts';
import { messagePair, withEnglishDetail, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';

/** SoftHSM2's module on Debian: the test and demo token. A real key names its vendor's PKCS#11 library. */
export const DEFAULT_BOOTH_PKCS11_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

const MINUTE = 60_000;

export const boothConfigSchema = z
  .object({
    /** The USB key's PKCS#11 library. */
    pkcs11Module: z.string().min(1).max(512).default(DEFAULT_BOOTH_PKCS11_MODULE),
    /** Folder of trusted CA certificates (*.pem / *.crt, several CAs allowed). Without it nothing can be signed. */
    trustDir: z.string().min(1).max(512).optional(),
    /**
     * Refuse to sign when a CA of the chain has no CRL in `trustDir`, or only one past its nextUpdate
     * (CRL_UNAVAILABLE). Off by default: booths work offline, and a revoked certificate is refused
     * either way once its CRL is in the folder (docs/SIGNING.md "Revocation").
     */
    requireFreshCrl: z.boolean().default(false),
    /** The key's slot (decimal CK_SLOT_ID) when the reader has several; the first token found otherwise. */
    tokenSlot: z.string().regex(/^\d{1,20}$/, 'a decimal slot id').optional(),
    /** How often the key's presence is checked. 200 ms keeps a removal under the 500 ms the lock needs. */
    tokenPollMs: z.number().int().min(50).max(1000).default(200),
    /** Random face re-checks while working: each next one after a uniform random wait in [minMs, maxMs]. */
    recheckIntervalMs: z
      .object({ minMs: z.number().int().min(1000).max(240 * MINUTE), maxMs: z.number().int().min(1000).max(240 * MINUTE) })
      .refine((r) => r.minMs <= r.maxMs, 'minMs must not exceed maxMs')
      .default({ minMs: 20 * MINUTE, maxMs: 40 * MINUTE }),
    /** No face for this long while working locks the screen (expert_absent) until a face re-check. */
    absenceLimitS: z.number().min(3).max(3600).default(30),
    /**
     * Active liveness challenges per face check (login, re-check, unlock), in a CSPRNG order with a
     * blink. 0 switches liveness OFF — a test-only setting (the pipeline cannot be shown a live face
     * in a unit test, the demo's camera is a still photo): a packaged build refuses to start with it,
     * any other build warns and reports it to the central (boothTestOnlySettings).
     */
    livenessChallenges: z.number().int().min(0).max(4).default(3),
  })
  .strict();
export type BoothConfig = z.output<typeof boothConfigSchema>;

export class BoothConfigError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
    this.name = 'BoothConfigError';
  }

  static of(pair: MessagePair): BoothConfigError {
    return new BoothConfigError(pair.zh, pair.en);
  }
}

export function parseBoothConfig(raw: unknown, where = 'booth config'): BoothConfig {
  const r = boothConfigSchema.safeParse(raw);
  if (!r.success) {
    const detail = describeZodError(r.error);
    throw BoothConfigError.of(messagePair('booth.config.invalid', { where, detail }));
  }
  return r.data;
}

/** No file: the defaults (SoftHSM2 module, no trust list: the session runs, signing is refused). */
export function loadBoothConfig(file: string | undefined): BoothConfig {
  if (file === undefined) return parseBoothConfig({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw BoothConfigError.of(withEnglishDetail(messagePair('booth.config.unreadable', { file }), (e as Error).message));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw BoothConfigError.of(withEnglishDetail(messagePair('booth.config.notJson', { file }), (e as Error).message));
  }
  return parseBoothConfig(raw, file);
}

/** The config's test-only settings (device/test-only-settings.ts): liveness off. */
export function boothTestOnlySettings(config: BoothConfig): TestOnlySetting[] {
  if (config.livenessChallenges !== 0) return [];
  return [
    {
      setting: 'livenessChallenges',
      value: 0,
      ...messagePair('booth.config.livenessOff'),
    },
  ];
}
