/**
 * Opens one device's port for a technician command through the same port manager the kiosk uses,
 * so the CLI sees a device exactly as the kiosk would (stable path, lock, same errors).
 */
import { existsSync } from 'node:fs';
import type { DeviceKind } from '@kawei/shared/devices/device-health.ts';
import { ManagedPort, type SerialSettings } from '@kawei/shared/devices/managed-port.node.ts';
import { CliError, EXIT } from './cli-error.ts';

export async function openDevicePort(kind: DeviceKind, path: string, serial: SerialSettings): Promise<ManagedPort> {
  if (!existsSync(path)) {
    throw new CliError(`串口 ${path} 不存在：检查线缆，或用 list 查看可用串口`, `serial port ${path} does not exist: check the cable or run "list"`, EXIT.port);
  }
  const port = new ManagedPort({ device: `cli-${kind}`, kind, path, ...serial, retryIntervalMs: 60_000 });
  await port.start();
  if (!port.isOpen) {
    const reason = port.health.error ?? 'unknown';
    await port.close();
    throw new CliError(`无法打开串口 ${path}（${reason}）：是否被其他程序占用？`, `cannot open ${path} (${reason}): is another program using it?`, EXIT.port);
  }
  return port;
}
