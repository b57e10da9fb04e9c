/**
 * The booth's review screens (issue #13): preliminary review, chair vote, waiting, re-check, results.
 * Keys `review.*`.
 */
export const zhCN = {
  'review.title': '评审',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'review.title': 'Review',
};
