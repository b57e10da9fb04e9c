/**
 * The serial devices fitted to one gate, behind the few actions the check flow needs: open the
 * passage, announce a seat (LED and voice at once), hear about ID cards, and report health. Each
 * device runs on its own ManagedPort (reopened after an unplug); a missing or failing device never
 * throws into the check flow — its failure shows in its health tile, and `openPassage` says whether
 * the turnstile really opened, because that is the one failure the expert must be told about.
 */
import { createAlphaProtocol, createBxProtocol } from '@kawei/led-driver/led-display.ts';
import { LedDriver, formatSeatMessage } from '@kawei/led-driver/led-driver.ts';
import type { SeatView } from '@kawei/shared/contract/gate-check.ts';
import type { DeviceTile } from '@kawei/shared/contract/gate-check.ts';
import type { DeviceHealth, DeviceKind } from '@kawei/shared/devices/device-health.ts';
import { IdCardReader } from '@kawei/shared/devices/idcard/idcard-reader.ts';
import { ManagedPort } from '@kawei/shared/devices/managed-port.node.ts';
import { RelayDriver } from '@kawei/shared/devices/relay/relay-driver.ts';
import { EspeakVoice } from '@kawei/shared/devices/voice/espeak-voice.node.ts';
import type { VoiceOutput } from '@kawei/shared/devices/voice/voice-output.ts';
import { VoiceQueue, syn6288Chip, xfs5152Chip } from '@kawei/shared/devices/voice/voice-queue.ts';
import type { GateDevicesConfig } from '../gate-config.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';

/** Device names as they appear in health events and tiles. */
export const GATE_DEVICE_NAMES: Readonly<Record<DeviceKind, string>> = {
  led: 'led',
  voice: 'voice',
  relay: 'turnstile',
  idcard: 'idcard',
};

export interface CardRead {
  idNumber: string;
  readAt: number;
}

export interface PassageResult {
  ok: boolean;
  error?: string;
  /** performance.now() when the coil-on write was answered. */
  coilOnAt?: number;
}

/** What the expert hears and what the panel shows for a seat. Never a name, never a project. */
export function seatAnnouncement(seat: SeatView, maxCells = 16): { voice: string; led: string } {
  return {
    voice: translate('zh-CN', 'gate.announce.seat', { room: seat.roomNumber, label: seat.label }),
    led: formatSeatMessage(seat.roomNumber, seat.label, { maxCells }),
  };
}

/** Health of a device without a port (espeak-ng on the PC speakers): up until an utterance fails. */
class PortlessHealth {
  private current: DeviceHealth;
  private readonly listeners = new Set<(h: DeviceHealth) => void>();
  constructor(device: string, kind: DeviceKind, path: string) {
    this.current = { device, kind, path, state: 'up', since: Date.now(), consecutiveTimeouts: 0, reconnects: 0 };
  }
  get health(): DeviceHealth {
    return { ...this.current };
  }
  onHealth(cb: (h: DeviceHealth) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  reportTimeout(what: string): void {
    this.set('degraded', what);
  }
  reportAnswer(): void {
    this.set('up', undefined);
  }
  close(): void {
    this.set('closed', undefined);
  }
  private set(state: DeviceHealth['state'], error: string | undefined): void {
    if (state === this.current.state) return;
    this.current = { ...this.current, state, since: Date.now(), ...(error === undefined ? {} : { error }) };
    if (error === undefined) delete this.current.error;
    for (const cb of this.listeners) cb(this.health);
  }
}

type HealthSource = { readonly health: DeviceHealth; onHealth(cb: (h: DeviceHealth) => void): () => void };

export class GateDevices {
  private readonly sources: HealthSource[] = [];
  private readonly ports: ManagedPort[] = [];
  private led: LedDriver | undefined;
  private voice: VoiceOutput | undefined;
  private voiceHealth: { reportTimeout(what: string): void; reportAnswer(): void } | undefined;
  private relay: { driver: RelayDriver; port: ManagedPort; coil: number; pulseMs: number } | undefined;
  private card: { reader: IdCardReader; port: ManagedPort; abort: AbortController } | undefined;
  private readonly cardListeners = new Set<(c: CardRead) => void>();
  private readonly healthListeners = new Set<(h: DeviceHealth) => void>();
  private closed = false;

  private constructor(private readonly config: GateDevicesConfig) {}

  static async start(config: GateDevicesConfig): Promise<GateDevices> {
    const d = new GateDevices(config);
    await d.open();
    return d;
  }

  private async managed(kind: DeviceKind, path: string, baudRate: number, extra: { parity?: 'even'; dataBits?: 7 } = {}): Promise<ManagedPort> {
    const port = new ManagedPort({ device: GATE_DEVICE_NAMES[kind], kind, path, baudRate, ...extra });
    this.watch(port);
    this.ports.push(port);
    // A device absent at start is `down` and retried in the background: the gate still starts.
    await port.start();
    return port;
  }

  private watch(source: HealthSource): void {
    this.sources.push(source);
    source.onHealth((h) => {
      for (const cb of this.healthListeners) cb(h);
    });
  }

  private async open(): Promise<void> {
    const c = this.config;
    if (c.led) {
      // Alpha signs talk 7E2 (the Alpha protocol's framing); BX controllers 8N1.
      const port = await this.managed('led', c.led.path, c.led.baud, c.led.protocol === 'alpha' ? { parity: 'even', dataBits: 7 } : {});
      const protocol = c.led.protocol === 'alpha' ? createAlphaProtocol() : createBxProtocol(c.led.address === undefined ? {} : { dst: c.led.address });
      this.led = new LedDriver(port, { protocol, health: port });
    }
    if (c.voice) {
      if (c.voice.chip === 'espeak') {
        const health = new PortlessHealth(GATE_DEVICE_NAMES.voice, 'voice', 'espeak-ng');
        this.watch(health);
        this.voice = new EspeakVoice({ defaultVolume: c.voice.volume, defaultSpeed: c.voice.speed });
        this.voiceHealth = health;
      } else {
        if (!c.voice.path) throw new Error(bilingual('gate.devices.voiceNeedsPath', { chip: c.voice.chip }));
        const port = await this.managed('voice', c.voice.path, c.voice.baud);
        this.voice = new VoiceQueue(port, c.voice.chip === 'xfs5152' ? xfs5152Chip : syn6288Chip);
        this.voiceHealth = port;
      }
    }
    if (c.relay) {
      const port = await this.managed('relay', c.relay.path, c.relay.baud);
      this.relay = { driver: new RelayDriver(port, { slave: c.relay.slave }), port, coil: c.relay.coil, pulseMs: c.relay.pulseMs };
    }
    if (c.idcard) {
      const port = await this.managed('idcard', c.idcard.path, c.idcard.baud);
      this.card = { reader: new IdCardReader(port), port, abort: new AbortController() };
      void this.cardLoop();
    }
  }

  /** One tile per fitted device, in a fixed order. */
  tiles(): DeviceTile[] {
    return this.sources.map((s) => {
      const h = s.health;
      return { device: h.device, kind: h.kind, state: h.state, since: h.since, error: h.error ?? null };
    });
  }

  health(): DeviceHealth[] {
    return this.sources.map((s) => s.health);
  }

  onHealth(cb: (h: DeviceHealth) => void): () => void {
    this.healthListeners.add(cb);
    return () => this.healthListeners.delete(cb);
  }

  onCard(cb: (card: CardRead) => void): () => void {
    this.cardListeners.add(cb);
    return () => this.cardListeners.delete(cb);
  }

  get hasRelay(): boolean {
    return this.relay !== undefined;
  }

  /**
   * Pulses the turnstile/door coil. Resolves once the coil is on (the passage is open) and the
   * pulse continues in the background, so the announcement is not held up by the hold time.
   */
  async openPassage(): Promise<PassageResult> {
    const r = this.relay;
    if (!r) return { ok: false, error: 'no relay configured' };
    try {
      await r.driver.writeCoil(r.coil, true);
      const coilOnAt = performance.now();
      r.port.reportAnswer();
      setTimeout(() => {
        r.driver.writeCoil(r.coil, false).then(
          () => r.port.reportAnswer(),
          (e: unknown) => r.port.reportTimeout(`coil off: ${(e as Error).message}`),
        );
      }, r.pulseMs);
      return { ok: true, coilOnAt };
    } catch (e) {
      r.port.reportTimeout(`coil on: ${(e as Error).message}`);
      return { ok: false, error: (e as Error).message };
    }
  }

  /** Shows `ledText` and speaks `voiceText` at the same time; never throws. */
  async announce(voiceText: string, ledText: string): Promise<void> {
    const led = this.led;
    const voice = this.voice;
    const tasks: Promise<unknown>[] = [];
    if (led && this.config.led) {
      tasks.push(led.show(this.config.led.area, ledText, { clearAfterMs: this.config.led.clearAfterMs }));
    }
    if (voice && this.config.voice) {
      const health = this.voiceHealth;
      tasks.push(
        voice.speak(voiceText, { volume: this.config.voice.volume, speed: this.config.voice.speed }).then(
          (r) => (r.outcome === 'spoken' ? health?.reportAnswer() : r.outcome === 'cancelled' ? undefined : health?.reportTimeout(`utterance ${r.outcome}`)),
          (e: unknown) => health?.reportTimeout((e as Error).message),
        ),
      );
    }
    await Promise.allSettled(tasks);
  }

  /** Text for the LED panel's width (seat messages are shortened to fit; see formatSeatMessage). */
  get ledMaxCells(): number {
    return this.config.led?.maxCells ?? 16;
  }

  private async cardLoop(): Promise<void> {
    const c = this.card;
    if (!c) return;
    let last: { idNumber: string; at: number } | undefined;
    while (!this.closed) {
      try {
        await c.port.waitUntilUp(60_000).catch(() => undefined);
        if (this.closed) break;
        const card = await c.reader.waitForCard({ intervalMs: 300, signal: c.abort.signal });
        c.port.reportAnswer();
        const now = Date.now();
        // A card left on the reader is read again and again: one read per card per 10 s.
        if (!last || last.idNumber !== card.text.idNumber || now - last.at > 10_000) {
          last = { idNumber: card.text.idNumber, at: now };
          for (const cb of this.cardListeners) cb({ idNumber: card.text.idNumber, readAt: now });
        }
      } catch (e) {
        if (this.closed) break;
        c.port.reportTimeout(`card reader: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.card?.abort.abort();
    this.card?.reader.close();
    this.led?.close();
    await this.voice?.close();
    this.relay?.driver.close();
    for (const s of this.sources) if (s instanceof PortlessHealth) s.close();
    await Promise.all(this.ports.map((p) => p.close()));
  }
}
