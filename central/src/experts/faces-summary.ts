import { PHOTO_REFUSAL_TEXT, type PhotoRefusal } from './registry-schema.ts';
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

const WHY_TEXT: Record<SeatWithoutFace['why'], string> = {
  not_registered: '未在专家登记册中 / not in the registry',
  no_usable_photo: '没有合格的登记照片 / no usable photo',
};

/** The operator's summary (stdout): Chinese first, then English, one fact a line. */
export function formatFacesSummary(s: FacesSummary): string {
  const lines = [
    `人脸模板：${s.people} 人，每台闸机 ${s.parts} 个分包，共 ${s.gates} 台闸机，下发 ${s.sent} 条`,
    `face templates: ${s.people} people, ${s.parts} part(s) per gate, ${s.gates} gate device(s), ${s.sent} message(s) sent`,
    `照片缓存 / photo cache: ${s.cache.hits} 命中 hit(s), ${s.cache.misses} 新计算 computed`,
  ];
  if (s.gates === 0) lines.push('  尚无已注册的闸机，人脸模板未下发 / no enrolled gate device yet: no face templates sent');
  if (s.refused.length > 0) {
    lines.push(`未采用的照片 ${s.refused.length} 张 / ${s.refused.length} photo(s) refused:`);
    for (const r of s.refused) {
      const t = PHOTO_REFUSAL_TEXT[r.reason];
      lines.push(`  ${r.file} (${r.expert}): ${t.zh} / ${t.en} [${r.reason}]`);
    }
  }
  for (const f of s.strayFolders) lines.push(`  已忽略 / ignored: photos/${f}/ — 名册中无此专家 / no such expert in experts.json`);
  if (s.poolWithoutFace.length > 0) {
    lines.push(`当日专家库中无人脸模板（未排座）/ in today's pool without a face template (not seated):`);
    for (const p of s.poolWithoutFace) lines.push(`  ${p.expert}: ${WHY_TEXT[p.why]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The loud warning (stderr): these experts are seated today and no gate will recognise them. */
export function formatSeatedWithoutFace(seats: readonly SeatWithoutFace[], strict: boolean): string {
  const lines = [
    `警告：${seats.length} 位今日已排座的专家没有人脸模板，闸机无法刷脸放行（需人工核验）：`,
    `WARNING: ${seats.length} expert(s) seated today have no face template; no gate can let them in by face (staff must check them by hand):`,
    ...seats.map((s) => `  ${s.expert} → ${s.site}/${s.room} ${s.label}: ${WHY_TEXT[s.why]}`),
  ];
  if (strict) lines.push('因指定 --strict，未下发任何消息 / nothing was sent because of --strict');
  return `${lines.join('\n')}\n`;
}
