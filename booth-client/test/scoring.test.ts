import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@kawei/shared/errors.ts';
import type { ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { NOTE_REQUIRED_AT_OR_ABOVE, NOTE_REQUIRED_AT_OR_BELOW, noteRequired } from '../src/services/scoring/score-rules.ts';
import {
  createScoreSheet,
  SCORES_SUBMITTED_EVENT,
  type ScoreSheetOptions,
  type ScoreSheetService,
  type SignOutput,
} from '../src/services/scoring/score-sheet.node.ts';
import { openBoothDatabase } from '../src/services/booth-database.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import type { BoothPosition } from '@kawei/shared/domain/topology.ts';
import { EventLog } from '@kawei/shared/sync/event-log.node.ts';
import { generateEd25519, privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';

/**
 * The score sheet on a real SQLite file: rules, autosave durability (a SIGKILLed child process), and
 * the submit order with a fake `sign` (the USB-key path is the signing module's test).
 */

const PROJECT: ProjectBoothPayload = {
  date: '2026-05-01',
  project: 'SL-2026-0815',
  title: '示例市第一中学教学楼改扩建工程',
  blind: true,
  startsAt: null,
  endsAt: null,
  criteria: [
    { id: 'tech', name: '技术', max: 60 },
    { id: 'biz', name: '商务', max: 30 },
    { id: 'price', name: '价格', max: 10 },
  ],
  bidders: [
    { code: 'A', name: '华东示例建设有限公司', aliases: [] },
    { code: 'B', name: '南岭虚构科技股份有限公司', aliases: [] },
  ],
  files: [],
};
const NAMES = ['华东示例', '南岭虚构'];
const BOOTH_POSITION: BoothPosition = {
  kind: 'booth',
  site: { id: 's1', name: '市公共资源交易中心' },
  room: { id: 'r3', siteId: 's1', number: 3, name: '3号评标室', rows: 3, cols: 3 },
  booth: { id: 'b-r3-a2', roomId: 'r3', row: 0, col: 1, label: 'A2' },
};

let root = '';
let n = 0;
const open: ScoreSheetService[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kawei-scoring-'));
});
afterEach(() => {
  for (const s of open.splice(0)) {
    try {
      s.close();
    } catch {
      // already closed by the test
    }
  }
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Harness {
  sheet: ScoreSheetService;
  dataDir: string;
  events: { type: string; payload: Record<string, unknown>; seq: number }[];
  signed: { value: unknown; pin: string }[];
}

const fakeSign = (signed: Harness['signed']) => async (value: unknown, pin: string): Promise<SignOutput> => {
  signed.push({ value, pin });
  if (pin === '0000') throw new ApiError('PIN_INCORRECT', 'wrong PIN');
  const content = canonicalJson(value);
  const digest = createHash('sha256').update(content).digest('hex');
  return { signedAt: 1_777_600_000_000, signer: 'HK-37', cmsBase64: Buffer.from(`cms:${digest}`).toString('base64'), document: { kind: 'score-sheet', content, contentSha256: digest } };
};

function harness(dataDir = join(root, `s${++n}`), extra: Partial<ScoreSheetOptions> = {}): Harness {
  const events: Harness['events'] = [];
  const signed: Harness['signed'] = [];
  let t = 1_777_600_000_000;
  const sheet = createScoreSheet({
    dataDir,
    now: () => (t += 1000),
    sign: fakeSign(signed),
    record: (type, payload) => {
      const seq = events.length + 1;
      events.push({ type, payload, seq });
      return seq;
    },
    identity: () => ({ codename: 'HK-37', booth: '第3评标室 02号' }),
    ...extra,
  });
  open.push(sheet);
  return { sheet, dataDir, events, signed };
}

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof ApiError ? error.code : String(error);
  }
  return 'no error';
};

function fill(sheet: ScoreSheetService) {
  for (const b of ['A', 'B']) {
    sheet.save({ bidder: b, criterion: 'tech', value: 45 });
    sheet.save({ bidder: b, criterion: 'biz', value: 20.5 });
    sheet.save({ bidder: b, criterion: 'price', value: 7 });
  }
}

describe('score sheet rules', () => {
  it('has no sheet before a project, then one with codes only and every cell missing', () => {
    const { sheet } = harness();
    expect(code(() => sheet.get())).toBe('WRONG_PHASE');
    expect(code(() => sheet.save({ bidder: 'A', criterion: 'tech', value: 1 }))).toBe('WRONG_PHASE');
    sheet.setProject(PROJECT);
    const s = sheet.get();
    expect(s.bidders).toEqual(['A', 'B']);
    expect(s.criteria.map((c) => [c.id, c.max])).toEqual([['tech', 60], ['biz', 30], ['price', 10]]);
    expect(s.status).toBe('draft');
    expect(s.problems).toHaveLength(6);
    expect(s.problems.every((p) => p.problem === 'missing')).toBe(true);
    for (const name of NAMES) expect(JSON.stringify(s)).not.toContain(name);
  });

  it('takes 0 … max in half points; refuses other steps, negatives, unknown cells; flags values above the maximum', () => {
    const { sheet } = harness();
    sheet.setProject(PROJECT);
    expect(sheet.save({ bidder: 'A', criterion: 'tech', value: 40.5 }).scores.A?.tech).toBe(40.5);
    expect(code(() => sheet.save({ bidder: 'A', criterion: 'tech', value: 40.25 }))).toBe('SCORE_INVALID');
    expect(code(() => sheet.save({ bidder: 'A', criterion: 'tech', value: -1 }))).toBe('SCORE_INVALID');
    expect(code(() => sheet.save({ bidder: 'A', criterion: 'tech', value: Number.NaN }))).toBe('SCORE_INVALID');
    expect(code(() => sheet.save({ bidder: 'Z', criterion: 'tech', value: 1 }))).toBe('SCORE_INVALID');
    expect(code(() => sheet.save({ bidder: 'A', criterion: 'quality', value: 1 }))).toBe('SCORE_INVALID');
    expect(sheet.get().scores.A?.tech).toBe(40.5); // refusals change nothing
    const over = sheet.save({ bidder: 'A', criterion: 'price', value: 12 });
    expect(over.scores.A?.price).toBe(12);
    expect(over.problems).toContainEqual({ bidder: 'A', criterion: 'price', problem: 'out_of_range' });
    const cleared = sheet.save({ bidder: 'A', criterion: 'tech', value: null });
    expect(cleared.scores.A?.tech).toBeNull();
    expect(cleared.problems).toContainEqual({ bidder: 'A', criterion: 'tech', problem: 'missing' });
  });

  it('asks for a note at ≥ 90 % and ≤ 20 % of the maximum', () => {
    expect([NOTE_REQUIRED_AT_OR_ABOVE, NOTE_REQUIRED_AT_OR_BELOW]).toEqual([0.9, 0.2]);
    expect([54, 53.5, 12, 12.5, 0, 60].map((v) => noteRequired(v, 60))).toEqual([true, false, true, false, true, true]);
    const { sheet } = harness();
    sheet.setProject(PROJECT);
    const cell = (value: number, note?: string) =>
      sheet.save({ bidder: 'B', criterion: 'tech', value, ...(note !== undefined ? { note } : {}) }).problems.find((p) => p.bidder === 'B' && p.criterion === 'tech')?.problem ?? null;
    expect(cell(54)).toBe('note_required');
    expect(cell(53.5)).toBeNull();
    expect(cell(12)).toBe('note_required');
    expect(cell(12.5)).toBeNull();
    expect(cell(0)).toBe('note_required');
    expect(cell(60, '技术方案完整，工期保证措施具体')).toBeNull();
    expect(cell(59)).toBeNull(); // an omitted note keeps the cell's note
    expect(sheet.get().notes.B?.tech).toBe('技术方案完整，工期保证措施具体');
    expect(cell(59, '   ')).toBe('note_required'); // blank clears it
    expect(sheet.get().notes.B?.tech).toBeUndefined();
  });

  it('lists the blocking cells in bidder-then-criterion order', () => {
    const { sheet } = harness();
    sheet.setProject(PROJECT);
    fill(sheet);
    sheet.save({ bidder: 'A', criterion: 'price', value: 10 });
    sheet.save({ bidder: 'B', criterion: 'biz', value: 31 });
    sheet.save({ bidder: 'B', criterion: 'price', value: null });
    expect(sheet.get().problems).toEqual([
      { bidder: 'A', criterion: 'price', problem: 'note_required' },
      { bidder: 'B', criterion: 'biz', problem: 'out_of_range' },
      { bidder: 'B', criterion: 'price', problem: 'missing' },
    ]);
  });

  it('follows a re-sent project while it is a draft (removed cells hidden, kept on disk)', () => {
    const { sheet } = harness();
    sheet.setProject(PROJECT);
    fill(sheet);
    sheet.setProject({ ...PROJECT, criteria: PROJECT.criteria.slice(0, 2) });
    expect(sheet.get().criteria.map((c) => c.id)).toEqual(['tech', 'biz']);
    expect(sheet.get().problems).toEqual([]);
    sheet.setProject(PROJECT);
    expect(sheet.get().scores.B?.price).toBe(7);
  });
});

describe('autosave durability', () => {
  it('keeps every save across a close without any shutdown step and a reopen', () => {
    const dataDir = join(root, 'reopen');
    const first = harness(dataDir);
    first.sheet.setProject(PROJECT);
    first.sheet.save({ bidder: 'A', criterion: 'tech', value: 55, note: '很好' });
    first.sheet.close(); // the process would simply end here
    const second = harness(dataDir);
    second.sheet.setProject(PROJECT);
    expect(second.sheet.get().scores.A?.tech).toBe(55);
    expect(second.sheet.get().notes.A?.tech).toBe('很好');
  });

  it('loses no acknowledged save when the process is SIGKILLed mid-scoring', async () => {
    const dataDir = join(root, 'killed');
    const script = join(root, 'save-forever.mts');
    const modulePath = fileURLToPath(new URL('../src/services/scoring/score-sheet.node.ts', import.meta.url));
    writeFileSync(
      script,
      `import { createScoreSheet } from ${JSON.stringify(modulePath)};
const sheet = createScoreSheet({ dataDir: process.argv[2], sign: async () => { throw new Error('no'); }, record: () => 0 });
sheet.setProject(JSON.parse(process.argv[3]));
const cells = [];
for (const b of ['A', 'B']) for (const c of ['tech', 'biz', 'price']) cells.push([b, c]);
for (let i = 0; ; i++) {
  const [bidder, criterion] = cells[i % cells.length];
  sheet.save({ bidder, criterion, value: (i % 20) / 2, note: 'n' + i });
  process.stdout.write(JSON.stringify({ i, bidder, criterion, value: (i % 20) / 2 }) + '\\n');
  await new Promise((r) => setImmediate(r));
}
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, JSON.stringify(PROJECT)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const acked: { i: number; bidder: string; criterion: string; value: number }[] = [];
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child made no progress: ${stderr}`)), 25_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        acked.push(JSON.parse(line) as (typeof acked)[number]);
        if (acked.length === 40) {
          clearTimeout(timer);
          child.kill('SIGKILL'); // mid-loop: the next save may be half done
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');
    const last = new Map<string, { i: number; value: number }>();
    for (const a of acked) last.set(`${a.bidder}/${a.criterion}`, a);
    const { sheet } = harness(dataDir);
    sheet.setProject(PROJECT);
    const s = sheet.get();
    for (const [cell, a] of last) {
      const [bidder, criterion] = cell.split('/') as [string, string];
      // The stored value is the last acknowledged one, or a later save that committed before the kill.
      const note = s.notes[bidder]?.[criterion] ?? '';
      const storedI = Number(note.slice(1));
      expect(storedI).toBeGreaterThanOrEqual(a.i);
      if (storedI === a.i) expect(s.scores[bidder]?.[criterion]).toBe(a.value);
    }
  });
});

describe('submit', () => {
  it('refuses an incomplete sheet with its problems, and signs nothing', async () => {
    const { sheet, signed, events } = harness();
    sheet.setProject(PROJECT);
    sheet.save({ bidder: 'A', criterion: 'tech', value: 58 });
    const error = await sheet.submit('123456').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('SHEET_INCOMPLETE');
    const { problems } = (error as ApiError).details as { problems: unknown[] };
    expect(problems).toContainEqual({ bidder: 'A', criterion: 'tech', problem: 'note_required' });
    expect(problems).toHaveLength(6);
    expect(signed).toHaveLength(0);
    expect(events).toHaveLength(0);
    expect(sheet.get().status).toBe('draft');
  });

  it('signs the canonical sheet, freezes it, records the event; later saves and submits are refused', async () => {
    const { sheet, signed, events } = harness();
    sheet.setProject(PROJECT);
    fill(sheet);
    sheet.save({ bidder: 'A', criterion: 'price', value: 10, note: '报价最低' });
    const result = await sheet.submit('123456');
    expect(result).toEqual({ signedAt: 1_777_600_000_000, signer: 'HK-37', eventSeq: 1 });
    expect(signed).toHaveLength(1);
    expect(signed[0]?.pin).toBe('123456');
    const doc = signed[0]?.value as Record<string, unknown>;
    expect(doc).toMatchObject({
      kind: 'kawei.score-sheet',
      version: 1,
      date: '2026-05-01',
      project: 'SL-2026-0815',
      codename: 'HK-37',
      booth: '第3评标室 02号',
      bidders: ['A', 'B'],
      scores: { A: { tech: 45, biz: 20.5, price: 10 }, B: { tech: 45, biz: 20.5, price: 7 } },
      notes: { A: { price: '报价最低' }, B: {} },
    });
    for (const name of NAMES) expect(canonicalJson(doc)).not.toContain(name);

    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.type).toBe(SCORES_SUBMITTED_EVENT);
    expect(event.payload.sheet).toEqual(doc);
    expect(event.payload.sheetSha256).toBe(createHash('sha256').update(canonicalJson(doc)).digest('hex'));
    expect(event.payload).toMatchObject({ date: '2026-05-01', project: 'SL-2026-0815', signer: 'HK-37', signedAt: 1_777_600_000_000 });
    expect(typeof event.payload.cms).toBe('string');
    expect((event.payload.signed as { content: string }).content).toBe(canonicalJson(doc));

    const s = sheet.get();
    expect(s.status).toBe('submitted');
    expect(s.submittedAt).toBe(1_777_600_000_000);
    expect(s.problems).toEqual([]);
    expect(code(() => sheet.save({ bidder: 'A', criterion: 'tech', value: 1 }))).toBe('SHEET_FROZEN');
    await expect(sheet.submit('123456')).rejects.toMatchObject({ code: 'SHEET_FROZEN' });
    expect(sheet.submission()?.eventSeq).toBe(1);
    // A re-sent project does not reshape a signed sheet.
    sheet.setProject({ ...PROJECT, criteria: PROJECT.criteria.slice(0, 1) });
    expect(sheet.get().criteria).toHaveLength(3);
    expect(events).toHaveLength(1);
  });

  it('stays a draft when signing fails (wrong PIN), and refuses saves while the key is signing', async () => {
    const { sheet, events } = harness();
    sheet.setProject(PROJECT);
    fill(sheet);
    await expect(sheet.submit('0000')).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    expect(sheet.get().status).toBe('draft');
    expect(sheet.save({ bidder: 'A', criterion: 'tech', value: 44 }).scores.A?.tech).toBe(44);
    expect(events).toHaveLength(0);

    const pending = sheet.submit('123456');
    expect(code(() => sheet.save({ bidder: 'A', criterion: 'tech', value: 43 }))).toBe('SHEET_FROZEN');
    await expect(sheet.submit('123456')).rejects.toMatchObject({ code: 'WRONG_PHASE' });
    await pending;
    expect(sheet.get().scores.A?.tech).toBe(44);
  });

  it('a sync log that refuses the event leaves a draft: nothing frozen, and the next submit signs again', async () => {
    let fail = true;
    const events: number[] = [];
    const { sheet, signed } = harness(undefined, {
      record: () => {
        if (fail) throw new Error('sync log busy');
        events.push(1);
        return 7;
      },
    });
    sheet.setProject(PROJECT);
    fill(sheet);
    await expect(sheet.submit('123456')).rejects.toThrow('sync log busy');
    expect(sheet.get().status).toBe('draft'); // the freeze rolled back with the event
    expect(sheet.submission()).toBeNull();
    expect(sheet.save({ bidder: 'A', criterion: 'tech', value: 50 }).scores.A?.tech).toBe(50);
    fail = false;
    await expect(sheet.submit('123456')).resolves.toEqual({ signedAt: 1_777_600_000_000, signer: 'HK-37', eventSeq: 7 });
    expect(signed).toHaveLength(2);
    expect(events).toHaveLength(1);
    expect(sheet.submission()?.eventSeq).toBe(7);
  });

  it('freezes the sheet, appends its event to the real sync log and marks the session in ONE transaction', async () => {
    const dataDir = join(root, 'one-transaction');
    const { db } = openBoothDatabase(dataDir);
    const store = DeviceStore.on(db);
    const keys = generateEd25519();
    store.saveIdentity({
      deviceId: 'booth-1',
      kind: 'booth',
      publicKey: keys.publicKey,
      privateKeyPkcs8: keys.privateKeyPkcs8,
      centralUrl: 'https://127.0.0.1:9',
      centralId: 'central-test',
      centralPublicKey: keys.publicKey,
      position: BOOTH_POSITION,
      enrolledAt: 1_777_600_000_000,
    });
    const log = EventLog.open(store, 'booth-1', privateKeyFromPkcs8(keys.privateKeyPkcs8));
    let cut = true;
    const marks: number[] = [];
    const { sheet } = harness(dataDir, {
      database: db,
      record: (type, payload) => log.append(type, payload).seq,
      onSubmitted: ({ signedAt }) => {
        // Stands for a power cut after the event's append, before the transaction commits.
        if (cut) throw new Error('power cut');
        marks.push(signedAt);
      },
    });
    sheet.setProject(PROJECT);
    fill(sheet);
    await expect(sheet.submit('123456')).rejects.toThrow('power cut');
    expect(store.eventCount()).toBe(0); // the appended event went with the rollback
    expect(sheet.get().status).toBe('draft');
    cut = false;
    const result = await sheet.submit('123456');
    expect(result.eventSeq).toBe(1);
    expect(store.eventCount()).toBe(1);
    expect(log.eventAt(1)?.type).toBe(SCORES_SUBMITTED_EVENT);
    expect(marks).toEqual([result.signedAt]);
    sheet.close();
    db.close();

    // What is on disk after a reopen: the frozen sheet and its event, with the event's seq.
    const reopened = harness(dataDir);
    reopened.sheet.setProject(PROJECT);
    expect(reopened.sheet.get().status).toBe('submitted');
    expect(reopened.sheet.submission()?.eventSeq).toBe(1);
    expect(reopened.events).toHaveLength(0); // nothing left to repair
  });

  it('checks the PIN format before asking the key', async () => {
    const { sheet, signed } = harness();
    sheet.setProject(PROJECT);
    fill(sheet);
    await expect(sheet.submit('12ab')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(signed).toHaveLength(0);
  });
});
