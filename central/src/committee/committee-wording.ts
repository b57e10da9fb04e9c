/**
 * Wording shared by the committee's refusals and operator-act answers: the stage and the act named
 * in each language, from the `committeeRecord` catalogue.
 */
import type { CommitteeStage } from '@kawei/shared/committee/committee-events.ts';
import { messagePairBy, pairLine, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { translate, type Lang } from '@kawei/shared/i18n/messages.ts';

export type ActName = 'chairVote' | 'preliminary' | 'sheet' | 'startDetailed' | 'recheck' | 'confirm' | 'replace' | 'nameChair';

export function stageName(stage: CommitteeStage, lang: Lang): string {
  return translate(lang, `committeeRecord.stage.${stage}`);
}

function actName(what: ActName, lang: Lang): string {
  return translate(lang, `committeeRecord.what.${what}`);
}

/** A booth event refused for its stage. */
export function wrongStageForEvent(stage: CommitteeStage, what: ActName): MessagePair {
  return messagePairBy('committeeRecord.refusal.wrongStage', (lang) => ({ stage: stageName(stage, lang), what: actName(what, lang) }));
}

/** An operator act refused for its stage. */
export function wrongStageForAct(stage: CommitteeStage, what: ActName): MessagePair {
  return messagePairBy('committeeRecord.act.wrongStage', (lang) => ({ stage: stageName(stage, lang), what: actName(what, lang) }));
}

/** A refusal's detail as the ledger stores it: one line, both languages, within the schema's 500 characters. */
export function detailLine(pair: MessagePair): string {
  const line = pairLine(pair);
  return line.length <= 500 ? line : `${line.slice(0, 499)}…`;
}
