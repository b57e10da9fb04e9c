/**
 * `kawei-central events --device ID [--type T] [--from SEQ] [--limit N] [--json]`: what one device
 * has reported, in its order (gate check-ins, manual opens, device health, booth scores …). For the
 * operator checking a device's day, and for the end-to-end tests that assert "the central has it".
 */
import { openStore } from '../storage/open-store.node.ts';
import { parseCommandArgs, usageError } from './cli-args.node.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';
import type { CliIo } from './cli-io.ts';
import { formatEventLine } from './text-format.ts';

function boundedInt(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d{1,9}$/.test(text) || n < min || n > max) {
    throw usageError('central.args.integer', { name, min, max, text });
  }
  return n;
}

export async function eventsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage } = parseCommandArgs('events', args, {
    device: { type: 'string' },
    type: { type: 'string' },
    from: { type: 'string', default: '1' },
    limit: { type: 'string', default: '500' },
    json: { type: 'boolean', default: false },
  });
  const device = values['device'];
  if (typeof device !== 'string' || device === '') throw usageError('central.args.device');
  const from = boundedInt('from', String(values['from']), 1, 999_999_999);
  const limit = boundedInt('limit', String(values['limit']), 1, 5000);
  const type = values['type'] as string | undefined;
  const store = await openStore(storage);
  try {
    const events = (await store.listEvents(device, from, limit)).filter((e) => type === undefined || e.type === type);
    if (values['json']) {
      io.stdout.write(`${JSON.stringify({ events: events.map((e) => ({ seq: e.seq, type: e.type, deviceTime: e.deviceTime, receivedAt: e.receivedAt, payload: e.payload })) })}\n`);
    } else if (events.length === 0) {
      io.stdout.write(`${bilingual('central.events.none')}\n`);
    } else {
      for (const e of events) io.stdout.write(formatEventLine(e));
    }
    return 0;
  } finally {
    await store.close();
  }
}
