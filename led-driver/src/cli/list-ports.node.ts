/**
 * What `kawei-devices list` shows: every serial port the OS knows, with the stable names udev gives
 * USB adapters (/dev/serial/by-id/… and by-path/…). Technicians configure the stable name: ttyUSB0
 * and ttyUSB1 swap when two adapters enumerate in a different order after a reboot.
 */
import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

export interface PortListing {
  path: string;
  /** Stable aliases pointing at this port (by-id first). */
  stable: string[];
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

function aliases(dir: string): Map<string, string[]> {
  const byTarget = new Map<string, string[]>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return byTarget; // no USB serial adapter plugged in: udev has not made the folder
  }
  for (const name of names.sort()) {
    const link = join(dir, name);
    try {
      const target = realpathSync(link);
      byTarget.set(target, [...(byTarget.get(target) ?? []), link]);
    } catch {
      // a dangling link (adapter just removed): skip
    }
  }
  return byTarget;
}

export async function listPorts(serialDir = '/dev/serial'): Promise<PortListing[]> {
  const byId = aliases(join(serialDir, 'by-id'));
  const byPath = aliases(join(serialDir, 'by-path'));
  const ports = await SerialPort.list().catch(() => scanDev());
  return ports.map((p) => {
    let real = p.path;
    try {
      real = realpathSync(p.path);
    } catch {
      // keep the reported path
    }
    const listing: PortListing = { path: p.path, stable: [...(byId.get(real) ?? []), ...(byPath.get(real) ?? [])] };
    if (p.manufacturer) listing.manufacturer = p.manufacturer;
    if (p.serialNumber) listing.serialNumber = p.serialNumber;
    if (p.vendorId) listing.vendorId = p.vendorId;
    if (p.productId) listing.productId = p.productId;
    return listing;
  });
}

/**
 * serialport lists ports through udevadm, which containers and minimal installs lack; then look at
 * the device nodes ourselves (no vendor details, but the technician still sees what exists).
 */
function scanDev(dev = '/dev'): { path: string; manufacturer?: string; serialNumber?: string; vendorId?: string; productId?: string }[] {
  let names: string[];
  try {
    names = readdirSync(dev);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^tty(USB|ACM|AMA|S|XRUSB|CH343USB)\d+$/.test(n))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((n) => ({ path: join(dev, n) }));
}

export function formatPortTable(ports: readonly PortListing[]): string {
  if (ports.length === 0) return bilingual('ledDriver.ports.none');
  return ports
    .map((p) => {
      const id = p.vendorId ? ` [${p.vendorId}:${p.productId ?? '?'}]` : '';
      const maker = p.manufacturer ? ` ${p.manufacturer}` : '';
      const label = `    ${bilingual('ledDriver.ports.stable')}: `;
      // Continuation lines line up under the first path (a hanzi takes two columns).
      const indent = ' '.repeat([...label].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0));
      const stable = p.stable.length > 0 ? `\n${label}${p.stable.join(`\n${indent}`)}` : '';
      return `${p.path}${id}${maker}${stable}`;
    })
    .join('\n');
}
