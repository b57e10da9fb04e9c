/**
 * Opens one device's port for a technician command through the same port manager the kiosk uses,
 * so the CLI sees a device exactly as the kiosk would (stable path, lock, same errors).
 */
import { existsSync } from 'node:fs';
import type { DeviceKind } from '@kawei/shared/devices/device-health.ts';
import { ManagedPort, type SerialSettings } from '@kawei/shared/devices/managed-port.node.ts';
import { EXIT, cliError } from './cli-error.ts';
import { messagePair } from '@kawei/shared/i18n/bilingual.ts';

export async function openDevicePort(kind: DeviceKind, path: string, serial: SerialSettings): Promise<ManagedPort> {
  if (!existsSync(path)) {
    throw cliError(messagePair('ledDriver.port.missing', { path }), EXIT.port);
  }
  const port = new ManagedPort({ device: `cli-${kind}`, kind, path, ...serial, retryIntervalMs: 60_000 });
  await port.start();
  if (!port.isOpen) {
    const reason = port.health.error ?? 'unknown';
    await port.close();
    throw cliError(messagePair('ledDriver.port.cannotOpen', { path, reason }), EXIT.port);
  }
  return port;
}
