import { describe, expect, it } from 'vitest';
import type { DeviceRecord } from '@kawei/shared/api/central-http.ts';
import { formatAlerts, formatDevices, formatEventLine } from '../src/cli/text-format.ts';
import type { Alert, StoredEvent } from '../src/storage/sync-store.ts';

/** What a hostile or broken device could have left in the store: clear screen, fake line, reversed text. */
const HOSTILE = 'booth\u001b[2J\r\nFAKE\u202e\u009b';
const ESCAPED = 'booth\\x1b[2J\\x0d\\x0aFAKE\\u202e\\x9b';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const device: DeviceRecord = {
  id: 'dev-1',
  kind: 'booth',
  target: { kind: 'booth', boothId: 'r3-a5' },
  publicKey: 'A'.repeat(43) + '=',
  hostname: HOSTILE,
  appVersion: `1.0.0${HOSTILE}`,
  status: 'active',
  enrolledAt: 0,
  revokedAt: null,
  lastSeenAt: null,
};

describe('operator text with device-supplied fields', () => {
  it('prints a hostname and app version carrying ESC and control characters escaped', () => {
    const text = formatDevices([device]);
    expect(text).toContain(ESCAPED);
    expect(text).toContain(`1.0.0${ESCAPED}`);
    expect(text).not.toMatch(RAW_CONTROL);
    // header + one row: the CR LF inside the hostname did not start a line of its own
    expect(text.trimEnd().split('\n')).toHaveLength(2);
    expect(text).toMatch(/^设备 device\s+类型 kind/);
  });

  it('prints alert details escaped, including the C1 and bidi characters JSON.stringify keeps', () => {
    const alert: Alert = { id: 7, deviceId: 'dev-1', kind: 'sync.chain_broken', detail: { reason: HOSTILE }, createdAt: 0 };
    const text = formatAlerts([alert]);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('FAKE\\u202e\\x9b');
    expect(text.trimEnd().split('\n')).toHaveLength(2);
  });

  it('prints an event payload escaped, on one line', () => {
    const event = { seq: 3, deviceTime: 0, type: 'device.health', payload: { note: HOSTILE } } as unknown as StoredEvent;
    const line = formatEventLine(event);
    expect(line).not.toMatch(RAW_CONTROL);
    expect(line).toContain('FAKE\\u202e\\x9b');
    expect(line.endsWith('\n') && line.indexOf('\n') === line.length - 1).toBe(true);
  });

  it('says when there is nothing to list, in Chinese and English', () => {
    expect(formatDevices([])).toBe('（暂无设备 / no devices）\n');
    expect(formatAlerts([])).toBe('（暂无告警 / no alerts）\n');
  });
});
