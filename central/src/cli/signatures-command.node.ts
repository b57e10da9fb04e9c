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
import { parseCommandArgs, UsageError, usageError } from './cli-args.node.ts';
import { bilingual, bilingualLabel, bilingualLines, messagePairBy, pairLine, pairLines } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import type { CliIo } from './cli-io.ts';
import { formatLocalTime, formatTable } from './text-format.ts';

/** Some submission did not verify. */
export const SIGNATURES_INVALID_EXIT = 1;

const KIND_LABEL = {
  commitment: bilingualLabel('central.signatures.kind.commitment'),
  'score-sheet': bilingualLabel('central.signatures.kind.scoreSheet'),
  preliminary: bilingualLabel('central.signatures.kind.preliminary'),
} as const;

export async function signaturesCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage } = parseCommandArgs('signatures', args, {
    trust: { type: 'string' },
    date: { type: 'string' },
    project: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const trustDir = values['trust'];
  if (typeof trustDir !== 'string' || trustDir === '') {
    throw usageError('central.args.trust');
  }
  const filter: SubmissionFilter = { date: values['date'] as string | undefined, project: values['project'] as string | undefined };
  if (filter.date !== undefined && !isIsoDate(filter.date)) {
    throw usageError('central.args.date', { date: filter.date });
  }
  if (filter.project === '') throw usageError('central.args.project');
  const trust = loadTrust(resolve(trustDir));
  if (storage.backend === 'sqlite' && !existsSync(storage.databaseFile)) {
    // Opening would create an empty store, and "no submissions" would then be a lie.
    throw usageError('central.noDatabase', { file: storage.databaseFile });
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
  for (const p of crlProblems) io.stderr.write(`${bilingual('central.signatures.crlNotUsed')}: ${p.source}: ${p.reason}\n`);
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
    throw usageError('central.signatures.trustMissing', { dir });
  }
  try {
    return { dir, list: loadTrustListFolder(dir) };
  } catch (error) {
    if (isSigningError(error)) {
      throw UsageError.of(messagePairBy('central.signatures.trustUnusable', (lang) => ({ reason: lang === 'en' ? error.en : error.zh })));
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
    bilingualLines('central.signatures.heading', { anchors: trust.list.anchors.length, dir: trust.dir }),
    pairLines(
      messagePairBy('central.signatures.crls', (lang) => ({
        crls: crls.crls.length,
        stale: stale > 0 ? translate(lang, 'central.signatures.crlsStale', { stale }) : '',
        withoutCrl: crls.withoutCrl.length,
      })),
    ),
  ];
  if (filter.date !== undefined || filter.project !== undefined) {
    const { date, project } = filter;
    lines.push(
      pairLine(
        messagePairBy('central.signatures.filter', (lang) => ({
          filter: [
            date !== undefined && translate(lang, 'central.signatures.filterDate', { date }),
            project !== undefined && translate(lang, 'central.signatures.filterProject', { project }),
          ]
            .filter(Boolean)
            .join(translate(lang, 'central.signatures.filterSeparator')),
        })),
      ),
    );
  }
  lines.push('');
  let out = `${lines.join('\n')}\n`;
  if (verdicts.length === 0) {
    out += `（${bilingual('central.signatures.none')}）\n`;
  } else {
    const header = (
      ['central.col.device', 'central.col.booth', 'central.col.seq', 'central.col.submissionKind', 'central.col.project', 'central.col.codename', 'central.col.signer', 'central.col.signedAt', 'central.col.verdict'] as const
    ).map((key) => bilingualLabel(key));
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
      out += `\n${bilingual('central.signatures.whyInvalid')}:\n`;
      for (const v of invalid) {
        out += `  ${v.device} #${v.seq} ${KIND_LABEL[v.kind]}\n`;
        for (const p of v.problems) out += `    [${p.code}] ${p.zh}\n    ${' '.repeat(p.code.length + 3)}${p.en}\n`;
      }
    }
    const noted = verdicts.filter((v) => v.warnings.length > 0);
    if (noted.length > 0) {
      out += `\n${bilingual('central.signatures.note')}:\n`;
      for (const v of noted) {
        out += `  ${v.device} #${v.seq} ${KIND_LABEL[v.kind]}\n`;
        for (const w of v.warnings) out += `    [${w.code}] ${w.zh}\n    ${' '.repeat(w.code.length + 3)}${w.en}\n`;
      }
    }
  }
  const { valid, invalid } = tally(verdicts);
  out += `\n${bilingualLines('central.signatures.tally', { valid, invalid })}\n`;
  return out;
}

/** Valid or not; for a valid one, what revocation could not be checked with (nothing added when good). */
function verdictCell(v: SubmissionVerdict): string {
  if (!v.valid) return `${bilingualLabel('central.signatures.invalid')} ${v.problems[0]?.code ?? ''}`;
  const notes = [
    ...(v.revocation === 'unknown' ? [bilingualLabel('central.signatures.revocationUnknown')] : []),
    ...(v.crlStale ? [bilingualLabel('central.signatures.crlStale')] : []),
  ];
  const valid = bilingualLabel('central.signatures.valid');
  return notes.length === 0 ? valid : `${valid}（${notes.join('；')}）`;
}

/** The certificate's CN when it is the day's code name, masked otherwise; then its serial. */
function signerCell(v: SubmissionVerdict): string {
  if (v.signer === null) return '-';
  const cn = commonName(v.signer.subject);
  const shown = cn === v.codename ? cn : maskName(cn);
  return v.signer.serial === null ? shown : `${shown} ${v.signer.serial}`;
}
