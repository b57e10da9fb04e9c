/**
 * `kawei-devices simulate KIND…`: a socat pty pair per device with the device's simulator on one end,
 * so a kiosk (or the other CLI commands) can be pointed at the host end as if a real device were
 * plugged in. Prints one JSON line per device with its host path, then what each device receives.
 * The demo and the gate's end-to-end tests run devices this way.
 */
import { join } from 'node:path';
import { LedPanelSimulator } from '../simulator/led-panel-simulator.ts';
import { attachLedPanel } from '../simulator/led-panel-serial.ts';
import { IDCARD_DEFAULT_BAUD } from '@kawei/shared/devices/idcard/idcard-serial.node.ts';
import { IdCardSimulator, TEST_CARD } from '@kawei/shared/devices/idcard/idcard-simulator.ts';
import { ManagedPort } from '@kawei/shared/devices/managed-port.node.ts';
import { type PtyPair, startPtyPair } from '@kawei/shared/devices/pty-pair.node.ts';
import { RelaySimulator } from '@kawei/shared/devices/relay/relay-simulator.ts';
import { Syn6288Simulator } from '@kawei/shared/devices/voice/simulators/syn6288-simulator.ts';
import { Xfs5152Simulator } from '@kawei/shared/devices/voice/simulators/xfs5152-simulator.ts';
import { EXIT, cliError } from './cli-error.ts';
import { bilingual, messagePair } from '@kawei/shared/i18n/bilingual.ts';

export const SIMULATED_KINDS = ['led-bx', 'led-alpha', 'syn6288', 'xfs5152', 'relay', 'idcard'] as const;
export type SimulatedKind = (typeof SIMULATED_KINDS)[number];

/** The baud rate each simulated device runs at (what the real module ships with). */
export const SIMULATED_BAUD: Readonly<Record<SimulatedKind, number>> = {
  'led-bx': 57600,
  'led-alpha': 9600,
  syn6288: 9600,
  xfs5152: 9600,
  relay: 9600,
  idcard: IDCARD_DEFAULT_BAUD,
};

export interface RunningSimulator {
  kind: SimulatedKind;
  /** Where a driver connects. */
  hostPath: string;
  baud: number;
  pair: PtyPair;
  /** What the device has seen so far, newest last, as short human lines. */
  activity(): string[];
  /** Device-specific state for tests and the demo screen. */
  readonly state: SimulatorState;
  close(): Promise<void>;
}

export type SimulatorState =
  | { kind: 'led'; panel: LedPanelSimulator }
  | { kind: 'voice'; spoken(): readonly { text: string; startedAt: number; endedAt?: number }[] }
  | { kind: 'relay'; relay: RelaySimulator }
  | { kind: 'idcard'; card: IdCardSimulator };

export async function startSimulator(kind: SimulatedKind, dir: string): Promise<RunningSimulator> {
  const pair = await startPtyPair({ dir, names: [`${kind}-host`, `${kind}-device`] });
  const baud = SIMULATED_BAUD[kind];
  const devicePort = new ManagedPort({ device: `sim-${kind}`, kind: kindOf(kind), path: pair.b, baudRate: baud, retryIntervalMs: 100 });
  await devicePort.start();
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
  };
  let detach: () => void = () => undefined;
  let state: SimulatorState;
  if (kind === 'led-bx' || kind === 'led-alpha') {
    const panel = new LedPanelSimulator({ protocol: kind === 'led-bx' ? 'onbon-bx' : 'alpha' });
    detach = attachLedPanel(panel, devicePort, { onUpdate: () => log(`LED: ${panel.render() || `（${bilingual('ledDriver.simulate.blank')}）`}`) }).close;
    state = { kind: 'led', panel };
  } else if (kind === 'syn6288' || kind === 'xfs5152') {
    const sim = kind === 'syn6288' ? new Syn6288Simulator(devicePort) : new Xfs5152Simulator(devicePort);
    let reported = 0;
    const timer = setInterval(() => {
      for (; reported < sim.spoken.length; reported++) log(`${bilingual('ledDriver.simulate.voice')}: 「${sim.spoken[reported]?.text ?? ''}」`);
    }, 50);
    detach = () => {
      clearInterval(timer);
      sim.close();
    };
    state = { kind: 'voice', spoken: () => sim.spoken };
  } else if (kind === 'relay') {
    const relay = new RelaySimulator({ coils: 8, inputs: 8 });
    relay.attach(devicePort);
    let reported = 0;
    const timer = setInterval(() => {
      for (; reported < relay.pulses.length; reported++) {
        const p = relay.pulses[reported];
        if (p) log(`${bilingual('ledDriver.simulate.relay')}: coil ${p.coil} pulsed ${Math.round(p.ms)} ms`);
      }
    }, 50);
    detach = () => clearInterval(timer);
    state = { kind: 'relay', relay };
  } else {
    const card = new IdCardSimulator({ chunkSize: 64 });
    card.placeCard(TEST_CARD);
    detach = card.attach(devicePort);
    state = { kind: 'idcard', card };
  }
  return {
    kind,
    hostPath: pair.a,
    baud,
    pair,
    state,
    activity: () => [...lines],
    close: async () => {
      detach();
      await devicePort.close();
      await pair.close();
    },
  };
}

function kindOf(kind: SimulatedKind): 'led' | 'voice' | 'relay' | 'idcard' {
  if (kind.startsWith('led')) return 'led';
  if (kind === 'relay' || kind === 'idcard') return kind;
  return 'voice';
}

export function parseKinds(args: readonly string[]): SimulatedKind[] {
  const wanted = args.includes('all') ? [...SIMULATED_KINDS] : args;
  if (wanted.length === 0) throw cliError(messagePair('ledDriver.simulate.noKinds', { kinds: SIMULATED_KINDS.join(' ') }), EXIT.usage);
  return wanted.map((k) => {
    if (!(SIMULATED_KINDS as readonly string[]).includes(k)) {
      throw cliError(messagePair('ledDriver.simulate.unknownKind', { kind: k, kinds: SIMULATED_KINDS.join(' ') }), EXIT.usage);
    }
    return k as SimulatedKind;
  });
}

export const simulatorLinkPath = (dir: string, kind: SimulatedKind): string => join(dir, `${kind}-host`);
