/**
 * `kawei-central signatures --trust DIR [--date YYYY-MM-DD] [--project CODE] [--json]`: verifies every
 * signed booth submission in the store (commitment letters and score sheets) with the central's own
 * trust list, independently of what the booth checked (central/src/results/verify-submissions.ts).
 * Read-only. Exit 0 when every submission is valid, 1 when any is not (as `publish-rosters --strict`
 * and `kawei-draw verify` report what they found), 2 for bad arguments, a trust folder that cannot be
 * used or a missing store. Warnings (注意 / note: revoked between signing and receipt, no roster to
 * cross-check) are printed and never change the exit code.
 *
 * The CRL summary is what the verifications used (their revocation checks), so an issuing CA that
 * came inside a CMS is counted; the trust folder's CRL problems go to stderr, except for a CRL a
 * verification did use.
 *
 * The text names experts by the day's code name only: no expert id, and a certificate subject whose
 * CN is not the code name is shown masked (a CA may write the holder's real name there). --json carries
 * what `events --json` already shows of the same events (the expert id, the certificate subject).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { maskName } from '@kawei/shared/api/gate-roster.ts';
import { isSigningError } from '@kawei/shared/signing/signing-errors.ts';
import { loadTrustListFolder } from '@kawei/shared/signing/trust-list.node.ts';
import { checkTrustListCrls, type TrustList } from '@kawei/shared/signing/trust-list.ts';
import { openStore } from '../storage/open-store.node.ts';
import {
  commonName,
  listSignedSubmissions,
  revocationSummary,
  tally,
  verifySubmission,
  type CrlUsed,
  type SubmissionFilter,
  type SubmissionVerdict,
} from '../results/verify-submissions.ts';
import { parseCommandArgs, UsageError } from './cli-args.node.ts';
import type { CliIo } from './cli-io.ts';
import { formatLocalTime, formatTable } from './text-format.ts';

/** Some submission did not verify. */
export const SIGNATURES_INVALID_EXIT = 1;

const KIND_LABEL = { commitment: '承诺书 commitment', 'score-sheet': '评分表 score sheet' } as const;

export async function signaturesCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage } = parseCommandArgs('signatures', args, {
    trust: { type: 'string' },
    date: { type: 'string' },
    project: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const trustDir = values['trust'];
  if (typeof trustDir !== 'string' || trustDir === '') {
    throw new UsageError('请用 --trust 指定中心的受信任 CA 证书目录', 'name the central\'s folder of trusted CA certificates with --trust DIR');
  }
  const filter: SubmissionFilter = { date: values['date'] as string | undefined, project: values['project'] as string | undefined };
  if (filter.date !== undefined && !isIsoDate(filter.date)) {
    throw new UsageError(`--date 应为 YYYY-MM-DD 格式的日期：${filter.date}`, `--date must be a date as YYYY-MM-DD: ${filter.date}`);
  }
  if (filter.project === '') throw new UsageError('--project 不能为空', '--project must not be empty');
  const trust = loadTrust(resolve(trustDir));
  if (storage.backend === 'sqlite' && !existsSync(storage.databaseFile)) {
    // Opening would create an empty store, and "no submissions" would then be a lie.
    throw new UsageError(`中心数据库不存在：${storage.databaseFile}（请检查 --data）`, `no central database at ${storage.databaseFile} (check --data)`);
  }

  const store = await openStore(storage);
  const verdicts: SubmissionVerdict[] = [];
  try {
    for (const { device, event, rosters } of await listSignedSubmissions(store, filter)) {
      verdicts.push(await verifySubmission(event, trust.list, device, rosters));
    }
  } finally {
    await store.close();
  }
  const counts = tally(verdicts);
  // Which CRLs the verdicts relied on: a CA without one means "not known to be revoked", not "good".
  const used = revocationSummary(verdicts, trust.list);
  const usedSources = new Set(used.crls.map((c) => c.source));
  // The folder's own report, for what could not be used; a CRL some verification used is not among them
  // (one of an issuing CA outside the folder is "not a CA of the trust list" to it).
  const crlProblems = (await checkTrustListCrls(trust.list)).problems.filter((p) => !usedSources.has(p.source));
  for (const p of crlProblems) io.stderr.write(`吊销列表未采用 / CRL not used: ${p.source}: ${p.reason}\n`);
  if (values['json']) {
    io.stdout.write(
      `${JSON.stringify({
        trust: {
          dir: trust.dir,
          anchors: trust.list.anchors.length,
          crls: used.crls,
          withoutCrl: used.withoutCrl,
          crlProblems,
        },
        filter: { date: filter.date ?? null, project: filter.project ?? null },
        submissions: verdicts,
        tally: counts,
      })}\n`,
    );
  } else {
    io.stdout.write(formatVerdicts(verdicts, trust, filter, used));
  }
  return counts.invalid > 0 ? SIGNATURES_INVALID_EXIT : 0;
}

function loadTrust(dir: string): { dir: string; list: TrustList } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`受信任 CA 证书目录不存在：${dir}`, `no such folder of trusted CA certificates: ${dir}`);
  }
  try {
    return { dir, list: loadTrustListFolder(dir) };
  } catch (error) {
    if (isSigningError(error)) {
      throw new UsageError(`无法使用受信任 CA 证书目录：${error.zh}`, `cannot use the folder of trusted CA certificates: ${error.en}`);
    }
    throw error;
  }
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}

/** The table (Chinese first in every header), why each invalid one failed, the warnings, and the tally. */
export function formatVerdicts(
  verdicts: readonly SubmissionVerdict[],
  trust: { dir: string; list: TrustList },
  filter: SubmissionFilter,
  crls: { crls: readonly CrlUsed[]; withoutCrl: readonly string[] } = { crls: [], withoutCrl: [] },
): string {
  const stale = crls.crls.filter((c) => c.stale).length;
  const lines = [
    `已签名提交的核验（中心受信任 CA 证书 ${trust.list.anchors.length} 张：${trust.dir}）`,
    `signed submissions verified with the central's trust list (${trust.list.anchors.length} CA certificate(s) in ${trust.dir})`,
    `核验用到的吊销列表（CRL）${crls.crls.length} 份${stale > 0 ? `（${stale} 份在签名时已过期，仍按其吊销）` : ''}；核验路径上无 CRL 的 CA ${crls.withoutCrl.length} 个，其所签证书吊销状态未知`,
    `CRLs used by the verifications: ${crls.crls.length}${stale > 0 ? ` (${stale} past nextUpdate at a signing time, still revoking)` : ''}; CAs on verified paths without a CRL: ${crls.withoutCrl.length} (revocation of their certificates unknown)`,
  ];
  if (filter.date !== undefined || filter.project !== undefined) {
    const zh = [filter.date && `日期 ${filter.date}`, filter.project && `项目 ${filter.project}`].filter(Boolean).join('，');
    const en = [filter.date && `date ${filter.date}`, filter.project && `project ${filter.project}`].filter(Boolean).join(', ');
    lines.push(`筛选：${zh} / filter: ${en}`);
  }
  lines.push('');
  let out = `${lines.join('\n')}\n`;
  if (verdicts.length === 0) {
    out += '（没有已签名的提交 / no signed submissions）\n';
  } else {
    const header = ['设备 device', '卡位 booth', '序号 seq', '类别 kind', '项目 project', '代号 codename', '签名证书 signer', '签名时间 signed at', '结果 verdict'];
    const rows = verdicts.map((v) => [
      v.device,
      v.booth ?? '-',
      `#${v.seq}`,
      KIND_LABEL[v.kind],
      v.project ?? '-',
      v.codename ?? '-',
      signerCell(v),
      v.signedAt === null ? '-' : formatLocalTime(v.signedAt),
      verdictCell(v),
    ]);
    out += formatTable([header, ...rows]);
    const invalid = verdicts.filter((v) => !v.valid);
    if (invalid.length > 0) {
      out += '\n无效原因 / why invalid:\n';
      for (const v of invalid) {
        out += `  ${v.device} #${v.seq} ${KIND_LABEL[v.kind]}\n`;
        for (const p of v.problems) out += `    [${p.code}] ${p.zh}\n    ${' '.repeat(p.code.length + 3)}${p.en}\n`;
      }
    }
    const noted = verdicts.filter((v) => v.warnings.length > 0);
    if (noted.length > 0) {
      out += '\n注意 / note:\n';
      for (const v of noted) {
        out += `  ${v.device} #${v.seq} ${KIND_LABEL[v.kind]}\n`;
        for (const w of v.warnings) out += `    [${w.code}] ${w.zh}\n    ${' '.repeat(w.code.length + 3)}${w.en}\n`;
      }
    }
  }
  const { valid, invalid } = tally(verdicts);
  out += `\n有效 ${valid} / 无效 ${invalid}\nvalid ${valid} / invalid ${invalid}\n`;
  return out;
}

/** Valid or not; for a valid one, what revocation could not be checked with (nothing added when good). */
function verdictCell(v: SubmissionVerdict): string {
  if (!v.valid) return `无效 invalid ${v.problems[0]?.code ?? ''}`;
  const notes = [
    ...(v.revocation === 'unknown' ? ['吊销未知 revocation unknown'] : []),
    ...(v.crlStale ? ['CRL 过期 stale CRL'] : []),
  ];
  return notes.length === 0 ? '有效 valid' : `有效 valid（${notes.join('；')}）`;
}

/** The certificate's CN when it is the day's code name, masked otherwise; then its serial. */
function signerCell(v: SubmissionVerdict): string {
  if (v.signer === null) return '-';
  const cn = commonName(v.signer.subject);
  const shown = cn === v.codename ? cn : maskName(cn);
  return v.signer.serial === null ? shown : `${shown} ${v.signer.serial}`;
}
