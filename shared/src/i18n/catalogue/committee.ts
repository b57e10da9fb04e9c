/**
 * The committee's review (issue #13): rule-set problems (shared/src/committee/rules-check.ts), the central's committee
 * record, refusals and the `results` / `committee` commands (central/src/committee/). Keys `committee.*`.
 */
export const zhCN = {
  'committee.title': '评标委员会',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'committee.title': 'Evaluation committee',
};
