import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTenderPdf } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { projectBoothPayloadSchema } from '@kawei/shared/api/booth-roster.ts';
import { committeeBoothPayloadSchema, COMMITTEE_BOOTH_MESSAGE } from '@kawei/shared/committee/committee-events.ts';
import type { EvaluationRulesInput } from '@kawei/shared/committee/evaluation-rules.ts';
import { runDrawCli } from '../src/draw/cli.node.ts';
import { drawResultSchema, type DayInput, type DrawResult } from '../src/draw/day-schema.ts';
import { runCli } from '../src/cli/run-cli.node.ts';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { MaterialError, readProjectMaterial } from '../src/projects/project-material.node.ts';
import { projectBoothPayload } from '../src/projects/publish-project.node.ts';
import { bidProblems, criteriaFromRules } from '../src/projects/project-rules.ts';
import { seatedBooths } from '../src/projects/booth-seats.ts';
import { useTempDir } from './temp-dir.ts';
import { addCode, attempt } from './store-fixtures.ts';

/**
 * Project material with evaluation rules and an opening record (issue #13): what readProjectMaterial
 * accepts and refuses, the project.booth payload, and publish-project opening the committee.
 */

const tempDir = useTempDir();
const REPO = join(import.meta.dirname, '..', '..');

let pdfCache: Uint8Array | null = null;
async function pdf(): Promise<Uint8Array> {
  pdfCache ??= (await makeTenderPdf({ bidder: { name: '华东示例建设有限公司' }, project: { name: '示例工程', code: 'GC-01', tenderee: '示例中心' }, pages: 8 })).bytes;
  return pdfCache;
}

/** A small comprehensive rule set: two preliminary items, a subjective item with tiers, an objective one, price by lowest_over_bid. */
function rules(): EvaluationRulesInput {
  return {
    method: 'comprehensive',
    preliminary: [
      { id: 'Q1', kind: 'qualification', name: '营业执照与资质', description: '具有有效的营业执照与资质' },
      { id: 'C1', kind: 'conformity', name: '投标保证金' },
    ],
    groups: [
      { id: 'tech', name: '技术' },
      { id: 'business', name: '商务' },
      { id: 'price', name: '价格' },
    ],
    items: [
      {
        id: 'T1',
        group: 'tech',
        kind: 'subjective',
        name: '施工方案与技术措施',
        max: 10,
        tiers: [
          { label: '优', min: 8.5, max: 10 },
          { label: '良', min: 6.5, max: 8 },
          { label: '中', min: 4, max: 6 },
          { label: '差', min: 0, max: 3.5 },
        ],
      },
      { id: 'B1', group: 'business', kind: 'objective', name: '质量管理体系认证', max: 2, options: [0, 2] },
    ],
    price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
  };
}

function project(extra: Record<string, unknown>, blind = true): Record<string, unknown> {
  return {
    title: '示例市第一中学教学楼改扩建工程',
    blind,
    startsAt: '2026-11-23T09:00:00+08:00',
    endsAt: '2026-11-23T17:00:00+08:00',
    bidders: [
      { code: 'A', name: '华东示例建设有限公司', aliases: [] },
      { code: 'B', name: '示例（北方）工程咨询有限公司', aliases: [] },
    ],
    files: [{ path: 'a.pdf', bidder: 'A', title: '投标文件' }],
    ...extra,
  };
}

const BIDS = [
  { code: 'A', price: 38_652_318.46 },
  { code: 'B', price: 37_918_560 },
];

async function materialDir(dir: string, json: unknown): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.pdf'), await pdf());
  writeFileSync(join(dir, 'project.json'), JSON.stringify(json));
  return dir;
}

function refusal(dir: string): MaterialError {
  try {
    readProjectMaterial(dir);
  } catch (e) {
    if (e instanceof MaterialError) return e;
    throw e;
  }
  throw new Error('the material was accepted');
}

describe('project material with evaluation rules', () => {
  it('reads rules and bids; the payload criteria come from the scoring items when none are given', async () => {
    const m = readProjectMaterial(await materialDir(join(tempDir(), 'm'), project({ rules: rules(), bids: BIDS })));
    expect(m.rulesGiven).toBe(true);
    expect(m.rules).toMatchObject({ method: 'comprehensive', preliminary: [{ id: 'Q1' }, { id: 'C1', description: '' }], price: { points: 30 } });
    expect(m.rules.settings).toEqual({ chair: 'vote', rejection: 'majority', trim: 'none', recommend: 3, abnormalShare: 0.3, decimals: 2 });
    expect(m.bids).toEqual(BIDS);
    expect(m.criteria).toEqual([
      { id: 'T1', name: '施工方案与技术措施', max: 10 },
      { id: 'B1', name: '质量管理体系认证', max: 2 },
    ]);
  });

  it('keeps plain criteria working: no rules → rulesFromCriteria, no bids → null', async () => {
    const criteria = [
      { id: 'tech', name: '技术', max: 50 },
      { id: 'price', name: '价格', max: 30 },
    ];
    const m = readProjectMaterial(await materialDir(join(tempDir(), 'm'), project({ criteria })));
    expect(m.rulesGiven).toBe(false);
    expect(m.bids).toBeNull();
    expect(m.criteria).toEqual(criteria);
    expect(m.rules).toMatchObject({ method: 'comprehensive', preliminary: [], price: null });
    expect(m.rules.items.map((i) => [i.id, i.kind, i.max])).toEqual([
      ['tech', 'subjective', 50],
      ['price', 'subjective', 30],
    ]);
  });

  it('names every problem at once, in Chinese and English: the rules, the bids against the bidders, the schema', async () => {
    const bad = rules();
    bad.items![1] = { id: 'B1', group: 'nope', kind: 'objective', name: '认证', max: 2, options: [0, 3] };
    const dir = await materialDir(
      join(tempDir(), 'm'),
      project({
        rules: bad,
        bids: [
          { code: 'A', price: 100 },
          { code: 'Z', price: 90 },
        ],
      }),
    );
    const e = refusal(dir);
    for (const [zh, en] of [
      ['project.json（评标办法 rules）：items[1].group：没有分组 nope', 'project.json (rules): items[1].group: there is no group nope'],
      ['items[1].options[1]：可选分值 3 不在 0 到满分 2 之间', 'items[1].options[1]: the option 3 is not between 0 and the maximum 2'],
      ['开标记录 bids 中的投标人代码 Z 不在投标人名单中', 'bids: bidder code Z is not in the bidder list'],
      ['投标人 B 在开标记录 bids 中没有报价', 'bids: bidder B has no bid in the opening record'],
    ] as const) {
      expect(e.chinese).toContain(zh);
      expect(e.message).toContain(en);
    }

    // A field of the rules zod refuses is named too, together with the material's own schema problems.
    const shape = refusal(await materialDir(join(tempDir(), 'm2'), project({ rules: { ...rules(), method: 'lottery' }, bids: BIDS, extra: 1 })));
    expect(shape.message).toMatch(/project\.json \(rules\): rules: method is not valid/);
    expect(shape.message).toMatch(/"extra"/);
  });

  it('takes any criterion id for plain criteria, but one a rule id can be once an opening record opens a committee', async () => {
    const criteria = [{ id: '技术分', name: '技术', max: 70 }];
    expect(readProjectMaterial(await materialDir(join(tempDir(), 'm'), project({ criteria }))).criteria).toEqual(criteria);
    const e = refusal(await materialDir(join(tempDir(), 'm2'), project({ criteria, bids: BIDS })));
    expect(e.message).toMatch(/project\.json \(criteria as the scoring items, for the committee an opening record opens\): rules: items\[0\]\.id is not valid/);
    expect(e.chinese).toContain('project.json（criteria 作为评分项 items，附开标记录时用于评标委员会）：');
  });

  it('requires rules or criteria, and bids with rules', async () => {
    const neither = refusal(await materialDir(join(tempDir(), 'm'), project({})));
    expect(neither.chinese).toContain('project.json 须写明评标办法 rules 或评分项 criteria（至少其一）');
    expect(neither.message).toContain('project.json must give the evaluation rules ("rules") or the criteria ("criteria"), at least one');
    const noBids = refusal(await materialDir(join(tempDir(), 'm2'), project({ rules: rules() })));
    expect(noBids.chinese).toContain('写明评标办法 rules 时须附开标记录 bids');
    expect(noBids.message).toContain('with "rules", the opening record "bids" is required');
  });

  it('checks an opening record given with plain criteria the same way', () => {
    const bidders = [
      { code: 'A', name: 'a', aliases: [] },
      { code: 'B', name: 'b', aliases: [] },
    ];
    expect(bidProblems({ bidders, bids: null, rulesGiven: false })).toEqual([]);
    expect(bidProblems({ bidders, bids: BIDS, rulesGiven: true })).toEqual([]);
    const problems = bidProblems({ bidders, bids: [BIDS[0]!, BIDS[0]!], rulesGiven: false }).map((p) => p.en);
    expect(problems).toEqual(['bids: bidder code used twice: A', 'bids: bidder B has no bid in the opening record']);
  });

  it('derives no criteria for a lowest-price project (nothing to score; the rules carry the review)', () => {
    const criteria = criteriaFromRules({
      method: 'lowest_price',
      preliminary: [{ id: 'Q1', kind: 'qualification', name: '资质', description: '' }],
      groups: [],
      items: [],
      price: null,
      settings: { chair: 'vote', rejection: 'majority', trim: 'none', recommend: 3, abnormalShare: 0.3, decimals: 2 },
    });
    expect(criteria).toEqual([]);
  });

  it('accepts the demo rules: four preliminary items, twelve scoring items in 技术/商务, price 30 computed, realistic bids', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const day: DayInput = {
      date: '2026-11-23',
      sites: [{ id: 'site-city', rooms: [{ id: 'room-3', rows: 3, cols: 3, disabled: [] }] }],
      experts: [{ id: 'E1', specialties: ['土建'], employer: '单位', sites: ['site-city'] }],
      projects: [{ id: 'GC-01', category: 'engineering', techWeight: 0.6, needs: [{ specialty: '土建', count: 1 }], alternates: 0, bidders: [], blind: true }],
      conflicts: [],
    };
    writeFileSync(join(dir, 'day.json'), JSON.stringify(day));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/make-demo-project.node.ts'), join(dir, 'out'), '--day', join(dir, 'day.json'), '--pages', '8'], {
      cwd: REPO,
    });
    const made = JSON.parse(stdout.trim().split('\n').at(-1)!) as { projects: { project: string; dir: string }[] };
    const m = readProjectMaterial(made.projects[0]!.dir);
    expect(m.rules.preliminary.map((p) => p.kind)).toEqual(['qualification', 'qualification', 'conformity', 'conformity']);
    expect(m.rules.items).toHaveLength(12);
    const points = (group: string) => m.rules.items.filter((i) => i.group === group).reduce((n, i) => n + i.max, 0);
    expect([points('tech'), points('business'), m.rules.price]).toEqual([50, 20, { formula: 'lowest_over_bid', group: 'price', points: 30 }]);
    for (const item of m.rules.items) {
      expect(item.description.length).toBeGreaterThan(10);
      if (item.kind === 'subjective') expect(item.tiers.map((t) => t.label)).toEqual(['优', '良', '中', '差']);
      else expect(item.options).toContain(item.max);
    }
    expect(m.rules.settings).toMatchObject({ chair: 'vote', rejection: 'majority', recommend: 3 });
    expect(m.bids!.map((b) => b.code)).toEqual(['A', 'B', 'C']);
    for (const b of m.bids!) expect(b.price).toBeGreaterThan(30_000_000);
  });
});

function io() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    out: () => stdout,
    err: () => stderr,
  };
}

/** The demo topology and a day on it: GC-01 blind with three experts and one alternate. */
async function centralWithDraw(dir: string): Promise<{ data: string; resultFile: string; result: DrawResult }> {
  const data = join(dir, 'central');
  expect(await runCli(['seed-demo', '--data', data], io().io)).toBe(0);
  const day: DayInput = {
    date: '2026-11-23',
    sites: [{ id: 'site-city', rooms: [{ id: 'room-3', rows: 3, cols: 3, disabled: [] }, { id: 'room-5', rows: 3, cols: 3, disabled: [] }] }],
    experts: Array.from({ length: 10 }, (_, i) => ({ id: `E${100 + i}`, specialties: ['土建'], employer: `单位${i}`, sites: ['site-city'] })),
    projects: [
      { id: 'GC-01', category: 'engineering', techWeight: 0.6, needs: [{ specialty: '土建', count: 3 }], alternates: 1, bidders: [{ id: 'b1', name: '某建设集团', org: '某建设集团有限公司' }], blind: true },
    ],
    conflicts: [],
  };
  writeFileSync(join(dir, 'day.json'), JSON.stringify(day));
  const resultFile = join(dir, 'result.json');
  expect(runDrawCli(['draw', '--input', join(dir, 'day.json'), '--secret', 'cd'.repeat(32), '--public-value', '1 2 3', '--out', resultFile], () => undefined, () => undefined)).toBe(0);
  return { data, resultFile, result: drawResultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8'))) };
}

/** Enrols a device on each of GC-01's booths [from, to) in seat order; returns the device ids. */
async function enrolGc01(data: string, result: DrawResult, from: number, to: number): Promise<string[]> {
  const store = await SqliteCentralStore.open(join(data, 'central.sqlite'));
  try {
    const booths = seatedBooths(result, await store.listSiteTrees(), []).filter((s) => s.seat.project === 'GC-01');
    const devices: string[] = [];
    for (const [i, b] of booths.slice(from, to).entries()) {
      const code = `CMTE${'ABCDEFGH'[from + i]}234`;
      await addCode(store, code, { kind: 'booth', boothId: b.boothId! });
      devices.push((await store.consumeEnrolmentCode(attempt(code, 'booth'))).device.id);
    }
    return devices;
  } finally {
    await store.close();
  }
}

async function messagesOf(data: string, device: string, type: string): Promise<unknown[]> {
  const store = await SqliteCentralStore.open(join(data, 'central.sqlite'));
  try {
    return (await store.messagesAfter(device, 0, 1000)).filter((m) => m.type === type).map((m) => m.payload);
  } finally {
    await store.close();
  }
}

describe('publish-project with rules', () => {
  it('puts the rules and the opening record into project.booth', async () => {
    const dir = tempDir();
    const { result } = await centralWithDraw(dir);
    const payload = projectBoothPayload(result, 'GC-01', readProjectMaterial(await materialDir(join(dir, 'm'), project({ rules: rules(), bids: BIDS }))));
    expect(projectBoothPayloadSchema.parse(payload)).toEqual(payload);
    expect(payload.rules).toMatchObject({ method: 'comprehensive', items: [{ id: 'T1' }, { id: 'B1' }], price: { formula: 'lowest_over_bid' } });
    expect(payload.bids).toEqual(BIDS);
    expect(payload.criteria.map((c) => c.id)).toEqual(['T1', 'B1']);

    // Plain criteria: no rules and no bids in the payload — the booth reviews them as it always did.
    const plain = projectBoothPayload(result, 'GC-01', readProjectMaterial(await materialDir(join(dir, 'p'), project({ criteria: [{ id: 'tech', name: '技术', max: 70 }] }))));
    expect(plain.rules).toBeUndefined();
    expect(plain.bids).toBeUndefined();
    expect(plain.criteria).toEqual([{ id: 'tech', name: '技术', max: 70 }]);
  });

  it('opens the committee once every booth of the project is enrolled: members and alternates in the summary, committee.booth queued', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const { data, resultFile } = await centralWithDraw(dir);
    const result = drawResultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));
    const material = await materialDir(join(dir, 'm'), project({ rules: rules(), bids: BIDS }));
    const publish = async (...extra: string[]) => {
      const run = io();
      const code = await runCli(['publish-project', '--result', resultFile, '--project', 'GC-01', '--material', material, '--data', data, '--no-ocr', ...extra], run.io);
      expect(run.err()).not.toMatch(/error/i);
      expect(code).toBe(0);
      return run.out();
    };

    // Two of three booths enrolled: the material goes out, the committee waits for the third.
    const devices = await enrolGc01(data, result, 0, 2);
    const partial = JSON.parse(await publish('--json')) as Record<string, unknown>;
    expect(partial).toMatchObject({ sent: 2, committee: { opened: false, why: 'no_devices' } });
    expect(await messagesOf(data, devices[0]!, COMMITTEE_BOOTH_MESSAGE)).toEqual([]);

    devices.push(...(await enrolGc01(data, result, 2, 3)));
    const text = await publish();
    expect(text).toContain('评标委员会已开启（综合评分法）：成员 3 名，候补专家 1 名 / committee opened (comprehensive scoring): 3 member(s), 1 alternate(s)');
    const json = JSON.parse(await publish('--json')) as Record<string, unknown>;
    expect(json).toMatchObject({ sent: 3, committee: { opened: true, method: 'comprehensive', members: 3, alternates: 1 } });

    const codenames = result.seats.filter((s) => s.project === 'GC-01').map((s) => s.codename);
    for (const device of devices) {
      const views = (await messagesOf(data, device, COMMITTEE_BOOTH_MESSAGE)).map((p) => committeeBoothPayloadSchema.parse(p));
      expect(views.length).toBeGreaterThan(0);
      const view = views.at(-1)!;
      expect(view).toMatchObject({ project: 'GC-01', stage: 'preliminary', chair: null, results: null });
      expect(codenames).toContain(view.codename);
      expect(view.members.map((m) => m.codename).sort()).toEqual([...codenames].sort());
      expect(JSON.stringify(view)).not.toMatch(/E1\d\d/); // never an expert's id
      const payload = projectBoothPayloadSchema.parse((await messagesOf(data, device, 'project.booth')).at(-1));
      expect(payload.bids).toEqual(BIDS);
    }
  });

  it('says why no committee opens for material without an opening record', async () => {
    const dir = tempDir();
    const { data, resultFile, result } = await centralWithDraw(dir);
    await enrolGc01(data, result, 0, 3);
    const material = await materialDir(join(dir, 'm'), project({ criteria: [{ id: 'tech', name: '技术', max: 70 }] }));
    const run = io();
    expect(await runCli(['publish-project', '--result', resultFile, '--project', 'GC-01', '--material', material, '--data', data, '--no-ocr'], run.io)).toBe(0);
    expect(run.out()).toContain('评标委员会未开启：材料中没有开标记录 bids / committee not opened: the material has no opening record ("bids")');
  });
});
