import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTenderPdf } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { BilingualError } from '@kawei/shared/i18n/bilingual.ts';
import { runDrawCli } from '../src/draw/cli.node.ts';
import type { DayInput } from '../src/draw/day-schema.ts';
import { runCli } from '../src/cli/run-cli.node.ts';
import { readReportMaterial, reportMaterialPath, writeReportMaterial, type ReportMaterial } from '../src/report/report-material.node.ts';
import { readGrantsSync } from '../src/projects/project-files.node.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();

const MATERIAL: ReportMaterial = {
  title: '示例市第一中学教学楼改扩建工程',
  category: 'engineering',
  blind: true,
  centreName: '示例市公共资源交易中心',
  bidders: [
    { code: 'A', name: '华东示例建设有限公司' },
    { code: 'B', name: '示例（北方）工程咨询有限公司' },
  ],
};

function thrown(work: () => unknown): BilingualError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(BilingualError);
    return error as BilingualError;
  }
  throw new Error('expected an error');
}

describe('report material (DATA/projects/<date>-<project>.report.json)', () => {
  it('round-trips, in a file only its owner can read whatever the umask', () => {
    const data = tempDir();
    const umask = process.umask(0o000);
    let file: string;
    try {
      file = writeReportMaterial(data, '2026-11-23', 'GC-01', MATERIAL);
    } finally {
      process.umask(umask);
    }
    expect(file).toBe(join(data, 'projects', '2026-11-23-GC-01.report.json'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readReportMaterial(data, '2026-11-23', 'GC-01')).toEqual(MATERIAL);
    // Replaced, not appended; and no grant is mistaken for it (nor it for a grant).
    writeReportMaterial(data, '2026-11-23', 'GC-01', { ...MATERIAL, centreName: '另一中心' });
    expect(readReportMaterial(data, '2026-11-23', 'GC-01')?.centreName).toBe('另一中心');
    expect(readGrantsSync(data)).toEqual([]);
    expect(readReportMaterial(data, '2026-11-24', 'GC-01')).toBeNull();
  });

  it('refuses a file that is not JSON or not the schema, naming the file and the field in Chinese and English', () => {
    const data = tempDir();
    const file = writeReportMaterial(data, '2026-11-23', 'GC-01', MATERIAL);
    writeFileSync(file, '{"title": ');
    const notJson = thrown(() => readReportMaterial(data, '2026-11-23', 'GC-01'));
    expect(notJson.zh).toContain('无法读取评标报告资料文件');
    expect(notJson.en).toContain(file);

    writeFileSync(file, JSON.stringify({ ...MATERIAL, bidders: [{ code: 'A', name: '' }] }));
    const badField = thrown(() => readReportMaterial(data, '2026-11-23', 'GC-01'));
    expect(badField.zh).toMatch(/字段 bidders\.0\.name 有误/);
    expect(badField.en).toMatch(/wrong field bidders\.0\.name/);

    writeFileSync(file, JSON.stringify({ ...MATERIAL, category: 'roads' }));
    expect(thrown(() => readReportMaterial(data, '2026-11-23', 'GC-01')).en).toMatch(/field category/);
    writeFileSync(file, JSON.stringify({ ...MATERIAL, secret: 1 }));
    expect(thrown(() => readReportMaterial(data, '2026-11-23', 'GC-01')).en).toMatch(/field secret/);
    const { centreName: _dropped, ...noCentre } = MATERIAL;
    writeFileSync(file, JSON.stringify(noCentre));
    expect(thrown(() => readReportMaterial(data, '2026-11-23', 'GC-01')).en).toMatch(/field centreName/);
  });

  it('names no file outside DATA/projects: a bad date or project code is refused', () => {
    const data = tempDir();
    expect(thrown(() => reportMaterialPath(data, '2026-1-1', 'GC-01')).en).toMatch(/not YYYY-MM-DD/);
    for (const project of ['../x', 'a/b', '', '.hidden']) {
      expect(thrown(() => writeReportMaterial(data, '2026-11-23', project, MATERIAL)).en).toMatch(/project code/);
    }
    expect(thrown(() => writeReportMaterial(data, '2026-11-23', 'GC-01', { ...MATERIAL, title: ' ' })).en).toMatch(/field title/);
  });
});

describe('publish-project writes the report material', () => {
  const io = () => {
    let stdout = '';
    let stderr = '';
    return { io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } }, out: () => stdout, err: () => stderr };
  };

  async function publishable(dir: string, extra: Record<string, unknown>): Promise<{ data: string; resultFile: string; material: string }> {
    const data = join(dir, 'central');
    expect(await runCli(['seed-demo', '--data', data], io().io)).toBe(0);
    const day: DayInput = {
      date: '2026-11-23',
      sites: [{ id: 'site-city', rooms: [{ id: 'room-3', rows: 3, cols: 3, disabled: [] }] }],
      experts: Array.from({ length: 6 }, (_, i) => ({ id: `E${100 + i}`, specialties: ['土建'], employer: `单位${i}`, sites: ['site-city'] })),
      projects: [
        { id: 'ZF-02', category: 'engineering', techWeight: 0.3, needs: [{ specialty: '土建', count: 3 }], alternates: 0, bidders: [{ id: 'b1', name: '某建设集团', org: '某建设集团有限公司' }], blind: false },
      ],
      conflicts: [],
    };
    writeFileSync(join(dir, 'day.json'), JSON.stringify(day));
    const resultFile = join(dir, 'result.json');
    expect(runDrawCli(['draw', '--input', join(dir, 'day.json'), '--secret', 'cd'.repeat(32), '--public-value', '1 2 3', '--out', resultFile], () => undefined, () => undefined)).toBe(0);
    const material = join(dir, 'material');
    mkdirSync(material);
    const pdf = await makeTenderPdf({ bidder: { name: '华东示例建设有限公司' }, project: { name: '示例工程', code: 'ZF-02', tenderee: '示例中心' }, pages: 8 });
    writeFileSync(join(material, 'a.pdf'), pdf.bytes);
    writeFileSync(
      join(material, 'project.json'),
      JSON.stringify({
        title: '示例市道路改造工程',
        blind: false,
        startsAt: null,
        endsAt: null,
        criteria: [{ id: 'tech', name: '技术', max: 100 }],
        bidders: [
          { code: 'A', name: '华东示例建设有限公司', aliases: [] },
          { code: 'B', name: '示例路桥有限公司', aliases: [] },
        ],
        files: [{ path: 'a.pdf', bidder: 'A', title: '投标文件' }],
        ...extra,
      }),
    );
    return { data, resultFile, material };
  }

  it('with project.json\'s category and --centre; without them, procurement and the catalogue\'s centre', async () => {
    const dir = tempDir();
    const { data, resultFile, material } = await publishable(dir, { category: 'engineering' });
    const args = ['publish-project', '--result', resultFile, '--project', 'ZF-02', '--material', material, '--data', data, '--no-ocr'];
    const run = io();
    expect(await runCli([...args, '--centre', '示例市公共资源交易中心'], run.io), run.err()).toBe(0);
    expect(readReportMaterial(data, '2026-11-23', 'ZF-02')).toEqual({
      title: '示例市道路改造工程',
      category: 'engineering',
      blind: false,
      centreName: '示例市公共资源交易中心',
      bidders: [
        { code: 'A', name: '华东示例建设有限公司' },
        { code: 'B', name: '示例路桥有限公司' },
      ],
    });

    const plain = JSON.parse(readFileSync(join(material, 'project.json'), 'utf8')) as Record<string, unknown>;
    delete plain['category'];
    writeFileSync(join(material, 'project.json'), JSON.stringify(plain));
    expect(await runCli(args, io().io)).toBe(0);
    expect(readReportMaterial(data, '2026-11-23', 'ZF-02')).toMatchObject({ category: 'procurement', centreName: '公共资源交易中心' });

    writeFileSync(join(material, 'project.json'), JSON.stringify({ ...plain, category: 'roads' }));
    const bad = io();
    expect(await runCli(args, bad.io)).toBe(2);
    expect(bad.err()).toMatch(/category/);

    // What the report cannot print is refused with the rest of the material, before anything is written.
    const longCentre = io();
    expect(await runCli([...args, '--centre', '中'.repeat(201)], longCentre.io)).toBe(2);
    expect(longCentre.err()).toMatch(/--centre.*too long/);
    writeFileSync(join(material, 'project.json'), JSON.stringify({ ...plain, title: '长'.repeat(250) }));
    const tooLong = io();
    expect(await runCli(args, tooLong.io)).toBe(2);
    expect(tooLong.err()).toMatch(/wrong field title/);
    expect(readReportMaterial(data, '2026-11-23', 'ZF-02')).toMatchObject({ centreName: '公共资源交易中心' });
  });
});
