import type { DeviceRecord, EnrolTarget, SiteTree } from '@kawei/shared/api/central-http.ts';
import type { Position } from '@kawei/shared/domain/topology.ts';
import { formatBoothPosition, formatGatePosition } from '@kawei/shared/i18n/messages.ts';
import { bilingual, bilingualLabel } from '@kawei/shared/i18n/bilingual.ts';
import type { Alert, StoredEvent } from '../storage/sync-store.ts';
import { terminalSafe } from './terminal-safe.ts';

/** Local wall-clock time, which is what an operator compares with the clock on the wall. */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function targetId(target: EnrolTarget): string {
  return target.kind === 'booth' ? target.boothId : target.gateId;
}

/** "市公共资源交易中心 · 3号评标室 · B2 卡位 / Room 3 · Booth B2" */
export function describePosition(position: Position): string {
  const [zh, en] =
    position.kind === 'booth'
      ? [formatBoothPosition(position, 'zh-CN'), formatBoothPosition(position, 'en')]
      : [formatGatePosition(position, 'zh-CN'), formatGatePosition(position, 'en')];
  return `${position.site.name} · ${zh} / ${en}`;
}

/** Sites, rooms (with their booths row by row) and gates, each with the id the other commands take. */
export function formatSiteTrees(sites: readonly SiteTree[]): string {
  if (sites.length === 0) return `（${bilingual('central.sites.none')}）\n`;
  const lines: string[] = [];
  for (const site of sites) {
    lines.push(`${site.name}  [${site.id}]`);
    for (const room of site.rooms) {
      lines.push(`  ${room.name}  [${room.id}]  ${room.rows}×${room.cols}`);
      for (let row = 0; row < room.rows; row++) {
        const ids = room.booths.filter((b) => b.row === row).map((b) => b.id);
        lines.push(`      ${ids.join('  ')}`);
      }
    }
    for (const gate of site.gates) {
      const where = gate.role === 'room_door' ? `${bilingualLabel('central.sites.roomDoor')} → ${gate.roomId}` : bilingualLabel('central.sites.areaEntrance');
      lines.push(`  ${gate.name}  [${gate.id}]  ${where}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatDevices(devices: readonly DeviceRecord[]): string {
  if (devices.length === 0) return `（${bilingual('central.devices.none')}）\n`;
  const header = (
    ['central.col.device', 'central.col.kind', 'central.col.position', 'central.col.status', 'central.col.host', 'central.col.version', 'central.col.enrolled', 'central.col.lastSeen'] as const
  ).map((key) => bilingualLabel(key));
  const rows = devices.map((d) => [
    d.id,
    d.kind,
    targetId(d.target),
    d.status === 'active' ? bilingualLabel('central.device.active') : `${bilingualLabel('central.device.revoked')} ${formatLocalTime(d.revokedAt ?? 0)}`,
    // The device said these at enrolment: printed escaped, so they cannot drive the operator's terminal.
    terminalSafe(d.hostname),
    terminalSafe(d.appVersion),
    formatLocalTime(d.enrolledAt),
    d.lastSeenAt === null ? '-' : formatLocalTime(d.lastSeenAt),
  ]);
  return formatTable([header, ...rows]);
}

export function formatAlerts(alerts: readonly Alert[]): string {
  if (alerts.length === 0) return `（${bilingual('central.alerts.none')}）\n`;
  const header = (['central.col.id', 'central.col.time', 'central.col.device', 'central.col.kind', 'central.col.detail'] as const).map((key) => bilingualLabel(key));
  // JSON.stringify escapes C0 controls but not DEL, C1 or the bidi overrides a device may have sent.
  const rows = alerts.map((a) => [String(a.id), formatLocalTime(a.createdAt), terminalSafe(a.deviceId ?? '-'), terminalSafe(a.kind), terminalSafe(JSON.stringify(a.detail))]);
  return formatTable([header, ...rows]);
}

/** One reported event on one line: its type and payload are the device's, so printed escaped. */
export function formatEventLine(e: StoredEvent): string {
  return `#${e.seq}  ${formatLocalTime(e.deviceTime)}  ${terminalSafe(e.type)}  ${terminalSafe(JSON.stringify(e.payload))}\n`;
}

/** Columns padded to the widest cell (CJK counted as two columns); the first row is the header. */
export function formatTable(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => displayWidth(r[col] ?? ''))));
  return rows
    .map((r) => r.map((cell, col) => cell + ' '.repeat(widths[col]! - displayWidth(cell))).join('  ').trimEnd())
    .join('\n')
    .concat('\n');
}

/** CJK characters take two terminal columns. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return width;
}
