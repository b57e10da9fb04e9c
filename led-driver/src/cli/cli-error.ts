import type { MessagePair } from '@kawei/shared/i18n/bilingual.ts';

/** An error a technician can act on: said in Chinese first, then English, with the exit code. */
export class CliError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
    readonly exitCode = 1,
  ) {
    super(`${zh} / ${en}`);
    this.name = 'CliError';
  }
}

/** A CliError from a catalogue message (`messagePair(key, params)`). */
export function cliError(m: MessagePair, exitCode = 1): CliError {
  return new CliError(m.zh, m.en, exitCode);
}

/** Exit codes: 0 ok, 1 device error (no answer, refused), 2 bad usage, 3 port unavailable. */
export const EXIT = { ok: 0, device: 1, usage: 2, port: 3 } as const;
