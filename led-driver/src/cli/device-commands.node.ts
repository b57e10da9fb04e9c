/**
 * The one-shot technician commands: each opens the port, does one thing a technician checks when
 * installing a device, prints what happened and closes. Errors name the likely cause in both languages.
 */
import { createAlphaProtocol, createBxProtocol } from '../led-display.ts';
import { LedDriver, type LedResult } from '../led-driver.ts';
import { IDCARD_DEFAULT_BAUD } from '@kawei/shared/devices/idcard/idcard-serial.node.ts';
import { IdCardError, IdCardReader } from '@kawei/shared/devices/idcard/idcard-reader.ts';
import { RelayDriver, RelayError, RelayTimeoutError } from '@kawei/shared/devices/relay/relay-driver.ts';
import { EspeakVoice } from '@kawei/shared/devices/voice/espeak-voice.node.ts';
import { VoiceQueue, syn6288Chip, xfs5152Chip } from '@kawei/shared/devices/voice/voice-queue.ts';
import type { UtteranceResult } from '@kawei/shared/devices/voice/voice-queue.ts';
import { CliError, EXIT, cliError } from './cli-error.ts';
import { openDevicePort } from './open-port.node.ts';
import { bilingual, messagePair, messagePairBy, withDetail } from '@kawei/shared/i18n/bilingual.ts';

export type Print = (line: string) => void;

export interface LedTestArgs {
  path: string;
  protocol: 'bx' | 'alpha';
  baud: number;
  area: number;
  text: string;
  clearAfterMs?: number;
  brightness?: number;
  address?: number;
}

function ledFailure(r: LedResult): CliError {
  if (r.error === 'timeout') {
    return cliError(messagePair('ledDriver.led.noAnswer'), EXIT.device);
  }
  if (r.error === 'write_failed') return cliError(messagePair('ledDriver.led.writeFailed'), EXIT.port);
  return cliError(messagePair('ledDriver.led.refused', { detail: r.detail ?? r.error ?? '' }), EXIT.device);
}

export async function ledTest(a: LedTestArgs, print: Print): Promise<LedResult> {
  const port = await openDevicePort('led', a.path, { baudRate: a.baud });
  const protocol = a.protocol === 'alpha' ? createAlphaProtocol() : createBxProtocol(a.address === undefined ? {} : { dst: a.address });
  const led = new LedDriver(port, { protocol, health: port });
  try {
    if (a.brightness !== undefined) {
      const b = await led.setBrightness(a.brightness);
      if (!b.ok) throw ledFailure(b);
      print(bilingual('ledDriver.led.brightness', { level: a.brightness }));
    }
    const r = await led.show(a.area, a.text, a.clearAfterMs === undefined ? {} : { clearAfterMs: a.clearAfterMs });
    if (!r.ok) throw ledFailure(r);
    print(`${bilingual('ledDriver.led.shown')}: 「${a.text}」 area ${a.area}${r.acked ? `, ${bilingual('ledDriver.led.acknowledged')} in ${r.ms.toFixed(1)} ms` : ''}`);
    if (a.clearAfterMs !== undefined) {
      // Stay until the driver's timer has cleared the area, so the technician sees it happen.
      await new Promise((resolve) => setTimeout(resolve, a.clearAfterMs! + 300));
      print(bilingual('ledDriver.led.cleared', { ms: a.clearAfterMs }));
    }
    return r;
  } finally {
    led.close();
    await port.close();
  }
}

export interface SpeakArgs {
  /** A serial path, or 'espeak' for the PC speakers. */
  path: string;
  chip: 'syn6288' | 'xfs5152' | 'espeak';
  baud: number;
  text: string;
  volume?: number;
  speed?: number;
}

function speechFailure(r: UtteranceResult & { detail?: string }): CliError {
  if (r.detail) return cliError(messagePair('ledDriver.voice.failed', { detail: r.detail }), EXIT.device);
  if (r.outcome === 'timeout') return cliError(messagePair('ledDriver.voice.timeout'), EXIT.device);
  return cliError(messagePair('ledDriver.voice.refused'), EXIT.device);
}

export async function speakTest(a: SpeakArgs, print: Print): Promise<UtteranceResult> {
  const options = { ...(a.volume === undefined ? {} : { volume: a.volume }), ...(a.speed === undefined ? {} : { speed: a.speed }), digitsAsNumbers: true };
  if (a.chip === 'espeak') {
    const voice = new EspeakVoice();
    try {
      const r = await voice.speak(a.text, options);
      if (r.outcome !== 'spoken') throw speechFailure(r);
      print(`${bilingual('ledDriver.voice.spokenEspeak')}: 「${a.text}」`);
      return r;
    } finally {
      await voice.close();
    }
  }
  const port = await openDevicePort('voice', a.path, { baudRate: a.baud });
  const queue = new VoiceQueue(port, a.chip === 'xfs5152' ? xfs5152Chip : syn6288Chip);
  try {
    const r = await queue.speak(a.text, options);
    if (r.outcome !== 'spoken') throw speechFailure(r);
    print(`${bilingual('ledDriver.voice.spoken')}: 「${a.text}」 (${(r.endedAt - r.startedAt).toFixed(0)} ms)`);
    return r;
  } finally {
    queue.close();
    await port.close();
  }
}

export interface RelayArgs {
  path: string;
  baud: number;
  slave: number;
  coil: number;
  ms: number;
  /** Discrete inputs to read after the pulse (passage sensor, alarms). */
  inputs: number;
}

function relayFailure(e: unknown): never {
  if (e instanceof RelayError) {
    const timeout = e instanceof RelayTimeoutError;
    throw timeout
      ? cliError(withDetail(messagePair('ledDriver.relay.noAnswer'), e.message), EXIT.device)
      : cliError(messagePair('ledDriver.relay.error', { detail: e.message }), EXIT.device);
  }
  throw e;
}

export async function pulseTest(a: RelayArgs, print: Print): Promise<{ heldMs: number; inputs: boolean[] }> {
  const port = await openDevicePort('relay', a.path, { baudRate: a.baud });
  const relay = new RelayDriver(port, { slave: a.slave });
  try {
    const p = await relay.pulse(a.coil, a.ms).catch(relayFailure);
    print(`${bilingual('ledDriver.relay.pulsed', { coil: a.coil })}: ${p.heldMs.toFixed(0)} ms`);
    const inputs = a.inputs > 0 ? await relay.readDiscreteInputs(0, a.inputs).catch(relayFailure) : [];
    if (inputs.length > 0) print(`${bilingual('ledDriver.relay.inputs')}: ${inputs.map((v, i) => `${i}=${v ? 1 : 0}`).join(' ')}`);
    return { heldMs: p.heldMs, inputs };
  } finally {
    relay.close();
    await port.close();
  }
}

export interface ReadCardArgs {
  path: string;
  baud: number;
  waitMs: number;
}

/** Masks a name and an ID number the way the kiosk screens do: technicians need to see a read work, not whose card it is. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

export function maskIdNumber(id: string): string {
  return id.length < 8 ? '*'.repeat(id.length) : `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

export async function readCardTest(a: ReadCardArgs, print: Print): Promise<{ name: string; idNumber: string }> {
  const port = await openDevicePort('idcard', a.path, { baudRate: a.baud || IDCARD_DEFAULT_BAUD });
  const reader = new IdCardReader(port);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), a.waitMs);
  try {
    print(`${bilingual('ledDriver.card.place')} (${Math.round(a.waitMs / 1000)} s)`);
    const card = await reader.waitForCard({ signal: abort.signal }).catch((e: unknown) => {
      if (abort.signal.aborted) throw cliError(messagePair('ledDriver.card.none'), EXIT.device);
      if (e instanceof IdCardError) throw cliError(messagePairBy('ledDriver.card.failed', (lang) => ({ reason: lang === 'en' ? e.en : e.zh })), EXIT.device);
      throw e;
    });
    const masked = { name: maskName(card.text.name), idNumber: maskIdNumber(card.text.idNumber) };
    const photo = `${bilingual('ledDriver.card.photo')} ${card.wlt.length} B${card.photo ? '' : `（${bilingual('ledDriver.card.notDecoded')}）`}`;
    print(`${bilingual('ledDriver.card.read')}: ${masked.name} ${masked.idNumber}, ${photo}`);
    return masked;
  } finally {
    clearTimeout(timer);
    reader.close();
    await port.close();
  }
}
