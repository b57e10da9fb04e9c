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
import { CliError, EXIT } from './cli-error.ts';
import { openDevicePort } from './open-port.node.ts';

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
    return new CliError('显示屏无应答：检查波特率、屏地址和 485 接线（A/B 是否接反）', 'the display did not answer: check baud rate, address and RS-485 wiring (A/B swapped?)', EXIT.device);
  }
  if (r.error === 'write_failed') return new CliError('串口写入失败：线缆是否已拔出？', 'writing to the port failed: was the cable unplugged?', EXIT.port);
  return new CliError(`显示屏拒绝了命令（${r.detail ?? r.error ?? ''}）`, `the display refused the command (${r.detail ?? r.error ?? ''})`, EXIT.device);
}

export async function ledTest(a: LedTestArgs, print: Print): Promise<LedResult> {
  const port = await openDevicePort('led', a.path, { baudRate: a.baud });
  const protocol = a.protocol === 'alpha' ? createAlphaProtocol() : createBxProtocol(a.address === undefined ? {} : { dst: a.address });
  const led = new LedDriver(port, { protocol, health: port });
  try {
    if (a.brightness !== undefined) {
      const b = await led.setBrightness(a.brightness);
      if (!b.ok) throw ledFailure(b);
      print(`亮度已设为 ${a.brightness} / brightness set to ${a.brightness}`);
    }
    const r = await led.show(a.area, a.text, a.clearAfterMs === undefined ? {} : { clearAfterMs: a.clearAfterMs });
    if (!r.ok) throw ledFailure(r);
    print(`已显示 / shown: 「${a.text}」 area ${a.area}${r.acked ? `, 应答 / acknowledged in ${r.ms.toFixed(1)} ms` : ''}`);
    if (a.clearAfterMs !== undefined) {
      // Stay until the driver's timer has cleared the area, so the technician sees it happen.
      await new Promise((resolve) => setTimeout(resolve, a.clearAfterMs! + 300));
      print(`已清屏 / cleared after ${a.clearAfterMs} ms`);
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
  if (r.detail) return new CliError(`播报失败：${r.detail}`, `speaking failed: ${r.detail}`, EXIT.device);
  if (r.outcome === 'timeout') return new CliError('语音模块未在限时内播完：检查波特率与模块电源', 'the voice module did not finish in time: check baud rate and power', EXIT.device);
  return new CliError('语音模块拒绝了文本（编码或长度不对？）', 'the voice module refused the text (wrong encoding or too long?)', EXIT.device);
}

export async function speakTest(a: SpeakArgs, print: Print): Promise<UtteranceResult> {
  const options = { ...(a.volume === undefined ? {} : { volume: a.volume }), ...(a.speed === undefined ? {} : { speed: a.speed }), digitsAsNumbers: true };
  if (a.chip === 'espeak') {
    const voice = new EspeakVoice();
    try {
      const r = await voice.speak(a.text, options);
      if (r.outcome !== 'spoken') throw speechFailure(r);
      print(`已播报（espeak-ng）/ spoken: 「${a.text}」`);
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
    print(`已播报 / spoken: 「${a.text}」 (${(r.endedAt - r.startedAt).toFixed(0)} ms)`);
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
      ? new CliError('继电器板无应答：检查从站地址、波特率、485 接线', `the relay board did not answer: check slave address, baud rate, RS-485 wiring (${e.message})`, EXIT.device)
      : new CliError(`继电器板返回错误：${e.message}`, `the relay board answered with an error: ${e.message}`, EXIT.device);
  }
  throw e;
}

export async function pulseTest(a: RelayArgs, print: Print): Promise<{ heldMs: number; inputs: boolean[] }> {
  const port = await openDevicePort('relay', a.path, { baudRate: a.baud });
  const relay = new RelayDriver(port, { slave: a.slave });
  try {
    const p = await relay.pulse(a.coil, a.ms).catch(relayFailure);
    print(`闸机线圈 ${a.coil} 已脉冲 / coil ${a.coil} pulsed: ${p.heldMs.toFixed(0)} ms`);
    const inputs = a.inputs > 0 ? await relay.readDiscreteInputs(0, a.inputs).catch(relayFailure) : [];
    if (inputs.length > 0) print(`输入 / inputs: ${inputs.map((v, i) => `${i}=${v ? 1 : 0}`).join(' ')}`);
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
    print(`请放置身份证… / place an ID card… (${Math.round(a.waitMs / 1000)} s)`);
    const card = await reader.waitForCard({ signal: abort.signal }).catch((e: unknown) => {
      if (abort.signal.aborted) throw new CliError('未检测到身份证', 'no ID card was placed in time', EXIT.device);
      if (e instanceof IdCardError) throw new CliError(`读卡失败：${e.zh}`, `card read failed: ${e.en}`, EXIT.device);
      throw e;
    });
    const masked = { name: maskName(card.text.name), idNumber: maskIdNumber(card.text.idNumber) };
    print(`读卡成功 / card read: ${masked.name} ${masked.idNumber}, 照片 / photo ${card.wlt.length} B${card.photo ? '' : '（未解码 / not decoded）'}`);
    return masked;
  } finally {
    clearTimeout(timer);
    reader.close();
    await port.close();
  }
}
