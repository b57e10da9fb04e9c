/**
 * The commitment letter (评标专家承诺书) the expert signs with the USB key before any tender file
 * opens. The signed bytes are the canonical JSON of `CommitmentDocument` (shared/src/sync/
 * canonical-json.ts), which carries the whole text as shown, so what was read is what was signed.
 * The expert appears only by the day's code name; for a blind project the title is left out.
 */
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { chineseDate } from '../roster/booth-day.ts';

export interface CommitmentFacts {
  codename: string;
  project: string;
  /** YYYY-MM-DD (Asia/Shanghai). */
  date: string;
  roomName: string;
  boothLabel: string;
}

export interface CommitmentDocument {
  type: 'kawei.commitment-letter';
  version: 1;
  title: string;
  codename: string;
  project: string;
  date: string;
  room: string;
  booth: string;
  text: string;
}

export const COMMITMENT_TITLE = '评标专家承诺书';

export function commitmentText(f: CommitmentFacts): string {
  return [
    COMMITMENT_TITLE,
    '',
    `本人以评标专家代号 ${f.codename} 参加项目 ${f.project} 的评标工作（${chineseDate(f.date)}，${f.roomName} ${f.boothLabel} 评标席），郑重承诺：`,
    '一、独立评审。依据法律法规和招标文件规定的评标标准和方法独立评审，独立提出评审意见，不受任何单位和个人的干预或影响。',
    '二、客观公正。恪守职业道德，客观、公正、审慎地履行评标职责，对所提出的评审意见承担个人责任。',
    '三、严守秘密。不泄露投标文件内容、评审过程、评审意见及其他应当保密的信息，不记录、复制或带走任何评标资料。',
    '四、不私下接触。不私下接触投标人及与评标结果有利害关系的人，不收受任何财物或者其他好处。',
    '五、主动回避。与投标人存在利害关系或者有其他可能影响公正评审的情形时，立即声明并主动回避。',
    '',
    '如有违反，本人愿意承担相应的法律责任。',
    '',
    `承诺人（评标专家代号）：${f.codename}`,
    `日期：${chineseDate(f.date)}`,
  ].join('\n');
}

export function commitmentDocument(f: CommitmentFacts): CommitmentDocument {
  return {
    type: 'kawei.commitment-letter',
    version: 1,
    title: COMMITMENT_TITLE,
    codename: f.codename,
    project: f.project,
    date: f.date,
    room: f.roomName,
    booth: f.boothLabel,
    text: commitmentText(f),
  };
}

/** Hex SHA-256 of the canonical JSON (the bytes that are signed). */
export async function commitmentSha256(doc: CommitmentDocument): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(doc)));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
