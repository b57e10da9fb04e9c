import { PHOTO_REFUSAL_TEXT, type PhotoRefusal } from './registry-schema.ts';
import { bilingual, bilingualLabel, bilingualLines } from '@kawei/shared/i18n/bilingual.ts';
import type { SeatWithoutFace } from './plan-faces.node.ts';

/** What `publish-rosters --experts` reports about faces (also its --json `faces` object). */
export interface FacesSummary {
  model: string;
  people: number;
  parts: number;
  gates: number;
  sent: number;
  refused: { expert: string; file: string; reason: PhotoRefusal }[];
  seatedWithoutFace: SeatWithoutFace[];
  poolWithoutFace: { expert: string; why: SeatWithoutFace['why'] }[];
  strayFolders: string[];
  cache: { hits: number; misses: number };
}

const whyText = (why: SeatWithoutFace['why']): string => bilingual(`experts.why.${why}`);

/** The operator's summary (stdout): Chinese first, then English, one fact a line. */
export function formatFacesSummary(s: FacesSummary): string {
  const lines = [
    bilingualLines('experts.summary.templates', { people: s.people, parts: s.parts, gates: s.gates, sent: s.sent }),
    `${bilingual('experts.summary.photoCache')}: ${s.cache.hits} ${bilingualLabel('experts.summary.cacheHits')}, ${s.cache.misses} ${bilingualLabel('experts.summary.cacheComputed')}`,
  ];
  if (s.gates === 0) lines.push(`  ${bilingual('experts.summary.noGate')}`);
  if (s.refused.length > 0) {
    lines.push(`${bilingual('experts.summary.refused', { count: s.refused.length })}:`);
    for (const r of s.refused) {
      const t = PHOTO_REFUSAL_TEXT[r.reason];
      lines.push(`  ${r.file} (${r.expert}): ${t.zh} / ${t.en} [${r.reason}]`);
    }
  }
  for (const f of s.strayFolders) lines.push(`  ${bilingual('experts.summary.ignored')}: photos/${f}/ — ${bilingual('experts.summary.strayFolder')}`);
  if (s.poolWithoutFace.length > 0) {
    lines.push(`${bilingual('experts.summary.poolWithoutFace')}:`);
    for (const p of s.poolWithoutFace) lines.push(`  ${p.expert}: ${whyText(p.why)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The loud warning (stderr): these experts are seated today and no gate will recognise them. */
export function formatSeatedWithoutFace(seats: readonly SeatWithoutFace[], strict: boolean): string {
  const lines = [
    bilingualLines('experts.summary.seatedWithoutFace', { count: seats.length }),
    ...seats.map((s) => `  ${s.expert} → ${s.site}/${s.room} ${s.label}: ${whyText(s.why)}`),
  ];
  if (strict) lines.push(bilingual('experts.summary.strict'));
  return `${lines.join('\n')}\n`;
}
