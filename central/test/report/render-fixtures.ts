/**
 * Final committees for the report tests and the benchmark: the committee fixtures' central loop
 * (../committee/committee-fixtures.ts) played from opening to confirmed results, with rejections, a
 * re-check and a replacement when asked, and the report material and identities that go with them.
 * Fictional names in Chinese, to be found (or not) in the PDFs.
 */
import type { EvaluationRulesInput, OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';
import type { CommitteeState } from '../../src/committee/committee-types.ts';
import type { IdentityLine, ReportMaterial } from '../../src/report/render-report.node.ts';
import { committeeRun, membersOf, openedPayload, type Scores } from '../committee/committee-fixtures.ts';

export interface FinalCommitteeOptions {
  members?: number;
  bids?: number;
  items?: number;
  method?: 'comprehensive' | 'lowest_price';
  blind?: boolean;
  category?: ReportMaterial['category'];
  recheck?: boolean;
  replacement?: boolean;
}

export interface FinalCommittee {
  state: CommitteeState;
  material: ReportMaterial;
  identities: IdentityLine[];
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const GIVEN = ['建国', '淑芬', '志强', '秀英', '海燕', '国华', '丽娟', '晓明', '春生', '玉兰', '振华', '德胜'];

/** The fictional expert of roster id `expert-07` / `alt-1`. */
export function expertName(index: number): string {
  return `${SURNAMES[index % SURNAMES.length]}${GIVEN[(index * 5 + 3) % GIVEN.length]}${index >= 12 ? String(index) : ''}`;
}

export function bidderName(index: number): string {
  return `华夏示范建设工程有限公司第${index + 1}分公司`;
}

function rulesFor(items: number, method: 'comprehensive' | 'lowest_price'): EvaluationRulesInput {
  const preliminary = [
    { id: 'licence', name: '营业执照及资质证书', kind: 'qualification' as const, description: '具备有效的营业执照和相应资质' },
    { id: 'bond', name: '投标保证金', kind: 'conformity' as const },
    { id: 'validity', name: '投标有效期', kind: 'conformity' as const },
  ];
  if (method === 'lowest_price') return { method, preliminary, groups: [], items: [], price: null, settings: { chair: 'vote' } };
  const list = Array.from({ length: items }, (_, k) => {
    const group = k % 3 === 2 ? 'biz' : 'tech';
    if (k % 5 === 4) return { id: `i${k + 1}`, group, name: `类似项目业绩与证书${k + 1}`, kind: 'objective' as const, max: 2, options: [0, 2] };
    return {
      id: `i${k + 1}`,
      group,
      name: k === 0 ? '施工组织设计、质量保证措施及安全文明施工措施的完整性与可行性' : `技术方案第${k + 1}项`,
      kind: 'subjective' as const,
      max: 5,
      description: k === 0 ? '内容完整、针对性强、措施可行的得 4–5 分；基本完整的得 2–3.5 分；其余 0–1.5 分。' : '',
    };
  });
  return {
    method,
    preliminary,
    groups: [
      { id: 'tech', name: '技术部分' },
      { id: 'biz', name: '商务部分' },
      { id: 'price', name: '价格部分' },
    ],
    items: list,
    price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
    settings: { chair: 'vote' },
  };
}

/** Plays a committee to 'final'. Defaults: 5 members, 6 bids, 8 items, blind, procurement, a re-check and a replacement. */
export function finalCommittee(options: FinalCommitteeOptions = {}): FinalCommittee {
  const n = options.members ?? 5;
  const bidCount = options.bids ?? 6;
  const method = options.method ?? 'comprehensive';
  const blind = options.blind ?? true;
  const bids: OpeningBid[] = Array.from({ length: bidCount }, (_, j) => ({
    code: `B${String(j + 1).padStart(2, '0')}`,
    price: 1_000_000 + j * 12_345.67 + (j % 3) * 250_000,
    ...(method === 'lowest_price' ? { evaluatedPrice: 990_000 + ((j * 7) % 5) * 20_000 } : {}),
  }));
  const members = membersOf(n);
  const opened = openedPayload({ rules: rulesFor(options.items ?? 8, method), bids, members, alternates: ['alt-1', 'alt-2'] });
  const run = committeeRun({ ...opened, blind });
  const codenames = members.map((m) => m.codename);
  for (const c of codenames) run.vote(c, 'K01');
  // Bid 3 fails for a majority (rejected); bid 5 for one member only (passes).
  const majority = Math.floor(n / 2) + 1;
  codenames.forEach((c, i) => {
    const fails: Record<string, Record<string, string>> = {};
    if (i < majority && bidCount >= 3) fails['B03'] = { bond: `未按招标文件要求提交投标保证金（评委意见${i + 1}）` };
    if (i === n - 1 && bidCount >= 5) fails['B05'] = { validity: '投标有效期不足九十日' };
    run.preliminary(c, fails);
  });
  if (method === 'comprehensive') {
    run.step('K01', { step: 'start_detailed' });
    const items = run.state.opened.rules.items.filter((i) => i.group !== 'price');
    const scores = (i: number, bump = 0): Scores =>
      Object.fromEntries(
        run.state.passed.map((bid, j) => [
          bid,
          Object.fromEntries(
            items.map((item, k) => {
              if (item.kind === 'objective') return [item.id, (j + k) % 3 === 0 ? 0 : item.max];
              const v = Math.min(item.max, item.max * 0.5 + ((i + 2 * j + k) % 5) * 0.5 + bump);
              return [item.id, v];
            }),
          ),
        ]),
      );
    if (options.replacement ?? true) {
      run.act({ kind: 'replace', codename: codenames[n - 1] as string, reason: 'ill', replacement: { codename: 'K90', expert: 'alt-1', booth: 'booth-alt', device: `device-${String(n).padStart(2, '0')}` }, operator: 'op-li', why: '身体不适，无法继续评审' });
    }
    const seated = run.state.members.filter((m) => m.active).map((m) => m.codename);
    seated.forEach((c, i) => run.sheet(c, scores(i)));
    if ((options.recheck ?? true) && seated.length > 1) {
      const target = seated[1] as string;
      const item = items.find((x) => x.kind === 'subjective')?.id as string;
      run.step('K01', { step: 'request_recheck', recheck: { codename: target, reason: 'abnormal_score', cells: [{ bid: run.state.passed[0], item }], note: '该项评分明显偏离其他评委' } });
      run.sheet(target, scores(1, 0.5), { revision: 2 });
    }
  }
  if (run.state.stage !== 'results') throw new Error(`fixture: committee at ${run.state.stage}, flags ${JSON.stringify(run.state.aggregate?.flags.slice(0, 3))}`);
  run.step('K01', { step: 'confirm_results', resultsSha256: run.state.resultsSha256 });
  if ((run.state.stage as string) !== 'final') throw new Error(`fixture: not final (${run.state.stage})`);
  const state = run.state;
  const expertIndex = (expert: string) => (expert.startsWith('alt-') ? 100 + Number(expert.slice(4)) : Number(expert.slice(7)) - 1);
  return {
    state,
    material: {
      title: '示范市第一人民医院门诊楼改扩建工程施工',
      category: options.category ?? 'procurement',
      blind,
      centreName: '示范市公共资源交易中心',
      bidders: bids.map((b, j) => ({ code: b.code, name: bidderName(j) })),
    },
    identities: state.members.map((m) => ({ codename: m.codename, judge: m.judge, expertId: m.expert, name: expertName(expertIndex(m.expert)), replacedBy: m.replacedBy })),
  };
}
