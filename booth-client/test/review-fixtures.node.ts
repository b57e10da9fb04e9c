/**
 * The review tests' project: evaluation rules with preliminary items, objective and subjective items
 * (tiers), a computed price group, three bids; and committee.booth messages as the central sends them.
 */
import type { CommitteeBoothPayload } from '@kawei/shared/committee/committee-events.ts';
import { evaluationRulesSchema, type EvaluationRulesInput } from '@kawei/shared/committee/evaluation-rules.ts';
import { rulesSha256 } from '@kawei/shared/committee/rules-digest.node.ts';
import { CODENAME, PROJECT, projectPayload, TODAY } from './booth-test-kit.node.ts';

export const RULES_INPUT: EvaluationRulesInput = {
  method: 'comprehensive',
  preliminary: [
    { id: 'licence', name: '营业执照', kind: 'qualification', description: '有效的营业执照副本' },
    { id: 'bond', name: '投标保证金', kind: 'conformity', description: '按招标文件要求提交' },
  ],
  groups: [
    { id: 'tech', name: '技术' },
    { id: 'biz', name: '商务' },
    { id: 'price', name: '价格' },
  ],
  items: [
    { id: 'iso', group: 'biz', name: 'ISO 9001', description: '提供有效证书得2分，否则0分', kind: 'objective', max: 2, options: [0, 2] },
    {
      id: 'plan',
      group: 'tech',
      name: '施工方案',
      description: '方案完整、措施具体',
      kind: 'subjective',
      max: 20,
      tiers: [
        { label: '优', min: 16, max: 20 },
        { label: '良', min: 12, max: 15.5 },
        { label: '中', min: 8, max: 11.5 },
        { label: '差', min: 0, max: 7.5 },
      ],
    },
    { id: 'service', group: 'biz', name: '售后服务', kind: 'subjective', max: 10 },
  ],
  price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
  settings: { chair: 'vote' },
};
export const RULES = evaluationRulesSchema.parse(RULES_INPUT);
export const RULES_SHA256 = rulesSha256(RULES);

export const BIDS = [
  { code: 'A', price: 1_200_000 },
  { code: 'B', price: 1_150_000 },
  { code: 'C', price: 1_300_000 },
];

export const OTHERS = ['QX-12', 'LM-05'] as const;

export function rulesProject(over: Record<string, unknown> = {}): Record<string, unknown> {
  return projectPayload({
    bidders: [
      { code: 'A', name: '江苏恒通建设集团有限公司', aliases: ['恒通建设'] },
      { code: 'B', name: '南京华宇工程有限公司', aliases: [] },
      { code: 'C', name: '苏州东方园林股份有限公司', aliases: [] },
    ],
    rules: RULES_INPUT,
    bids: BIDS,
    ...over,
  });
}

/** A committee.booth payload for this booth (every member not done, no chair) with `over` on top. */
export function committeeMessage(over: Partial<CommitteeBoothPayload> & { done?: readonly string[] }): CommitteeBoothPayload {
  const { done = [], ...rest } = over;
  const chair = rest.chair ?? null;
  return {
    date: TODAY,
    project: PROJECT,
    codename: CODENAME,
    version: 1,
    rulesSha256: RULES_SHA256,
    stage: 'preliminary',
    members: [CODENAME, ...OTHERS].map((codename, i) => ({ codename, judge: `评委${i + 1}`, done: done.includes(codename), chair: codename === chair })),
    chair,
    chairVotes: 0,
    rejected: [],
    passed: [],
    revision: 1,
    recheck: null,
    flags: [],
    results: null,
    ...rest,
  };
}
