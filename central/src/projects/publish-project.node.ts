import { readFileSync } from 'node:fs';
import { ApiError, badInput } from '@kawei/shared/errors.ts';
import { PROJECT_BOOTH_MESSAGE, projectBoothPayloadSchema, type ImageRedaction, type ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { createMessageRequestSchema } from '@kawei/shared/sync/sync-http.ts';
import { drawResultSchema, type DrawResult } from '../draw/day-schema.ts';
import { openCommitteeFromStore } from '../committee/open-committee.node.ts';
import { openStore } from '../storage/open-store.node.ts';
import { createDownstreamMessage } from '../sync/downstream-messages.node.ts';
import { parseCommandArgs, UsageError } from '../cli/cli-args.node.ts';
import type { CliIo } from '../cli/cli-io.ts';
import type { EvaluationMethod } from '@kawei/shared/committee/evaluation-rules.ts';
import { seatedBooths, undeliveredLine, type SeatedBooth } from './booth-seats.ts';
import { replacementBooths } from './replacement-booths.ts';
import { formatMb, MaterialError, PROJECT_FILE, readProjectMaterial, type ProjectMaterial } from './project-material.node.ts';
import { MAX_TENDER_FILE_BYTES, storeFile, writeGrant } from './project-files.node.ts';
import { checkReportMaterial, writeReportMaterial, type ReportMaterial } from '../report/report-material.node.ts';
import { checkTenderFiles, formatPageList, TenderFileCheckError, type TenderFilesCheck } from './tender-file-check.node.ts';
import { BilingualError, type MessagePair, bilingual, messagePair, messagePairBy } from '@kawei/shared/i18n/bilingual.ts';
import { type Lang, translate } from '@kawei/shared/i18n/messages.ts';

/**
 * `publish-project --result result.json --project CODE --material DIR [--centre NAME] [--no-ocr] [--json]`: hands one project's
 * evaluation material to the booths seated on it (docs/DRAW.md "Project material for the booths").
 *
 * In this order, so that nothing a booth is told about is missing:
 *   1. check result.json, the project code (a project of this draw), the whole material folder
 *      (project-material.node.ts) and every PDF with the booth's own pdf.js (tender-file-check.node.ts)
 *      — any problem stops here, nothing stored or sent; blind pages with images are reported and,
 *      unless --no-ocr, read with tesseract: names found in them go into the payload as
 *      `imageRedactions` (ocr-names.node.ts; no tesseract → a warning, publishing goes on);
 *   2. copy the PDFs into the central's content-addressed store (DATA/files/<sha256>, fsynced);
 *   3. write the project's grant (its files and the booths seated on it), which the device file
 *      route (central/src/http/routes/device-files.node.ts) answers from, and the project's report
 *      material (title, category, blind, bidders, the centre's name from --centre: report-material.node.ts),
 *      which the evaluation report is rendered from;
 *   4. queue `project.booth` (checked against projectBoothPayloadSchema) for every enrolled booth
 *      device seated on the project, with the evaluation rules and the opening record — and, in 3
 *      and 4, the booths where a replacement sits (`committee.replaced`, replacement-booths.ts);
 *   5. open the project's committee (central/src/committee/open-committee.node.ts: `committee.opened`
 *      in the central's ledger, `committee.booth` to each member's booth) — when the material has an
 *      opening record and some booth of the project has a device; the summary says how many members
 *      and alternates it has, or why it was not opened.
 * Publishing again replaces the grant and sends the material again (e.g. after a booth PC was
 * replaced): booths keep the newest message; the committee is opened again only while nothing of
 * its review was accepted (the committee service refuses otherwise).
 */

export interface PublishProjectSummary {
  project: string;
  date: string;
  title: string;
  blind: boolean;
  bidders: number;
  files: { sha256: string; bytes: number; bidder: string; path: string; stored: boolean }[];
  booths: number;
  sent: number;
  undelivered: { expert: string; site: string; room: string; label: string; why: 'no_such_booth' | 'no_device' }[];
  /** Blind projects: files with pages whose images the name matcher cannot read (check by hand). */
  imageWarnings: { bidder: string; path: string; pages: number; imagePages: number[]; ocr: FileOcrSummary | null }[];
  /** Blind projects: whether the image pages were OCR'd (false: --no-ocr or no tesseract; see ocrNote). Open: null. */
  ocrAvailable: boolean | null;
  /** Why OCR did not run (English), or null. */
  ocrNote: string | null;
  /** The same in Chinese, for the text summary. */
  ocrNoteChinese?: string | null;
  /** The committee opened at the end, or why not (no opening record; a seat without an enrolled device; it already decided something). */
  committee: CommitteeSummary;
}

export type CommitteeSummary =
  | { opened: true; method: EvaluationMethod; members: number; alternates: number }
  | { opened: false; why: 'no_bids' | 'no_devices' | 'decided' };

export interface FileOcrSummary {
  /** Image pages OCR'd. */
  pages: number[];
  /** Name occurrences covered, and per page how many. */
  covered: number;
  coveredPages: { page: number; names: number }[];
  /** Pages tesseract failed on: not OCR'd. */
  failedPages: { page: number; reason: string }[];
}

/** The `project.booth` payload for one project of a draw. */
export function projectBoothPayload(
  result: DrawResult,
  project: string,
  m: ProjectMaterial,
  /** By file path: names OCR found inside images (blind projects). */
  imageRedactions: ReadonlyMap<string, ImageRedaction[]> = new Map(),
): ProjectBoothPayload {
  return projectBoothPayloadSchema.parse({
    date: result.date,
    project,
    title: m.title,
    blind: m.blind,
    startsAt: m.startsAt,
    endsAt: m.endsAt,
    criteria: m.criteria,
    // Plain criteria: no rules in the payload, the booth reviews them as it always did (review-rules.ts).
    ...(m.rulesGiven ? { rules: m.rules } : {}),
    ...(m.bids === null ? {} : { bids: m.bids }),
    bidders: m.bidders,
    files: m.files.map((f) => {
      const redactions = imageRedactions.get(f.path) ?? [];
      return { sha256: f.sha256, bytes: f.bytes, bidder: f.bidder, title: f.title, ...(redactions.length > 0 ? { imageRedactions: redactions } : {}) };
    }),
  });
}

export async function publishProjectCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage, dataDir } = parseCommandArgs('publish-project', args, {
    result: { type: 'string' },
    project: { type: 'string' },
    material: { type: 'string' },
    centre: { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-ocr': { type: 'boolean', default: false },
  });
  const resultFile = values['result'] as string | undefined;
  const code = values['project'] as string | undefined;
  const materialDir = values['material'] as string | undefined;
  if (resultFile === undefined || code === undefined || materialDir === undefined) {
    throw usageError(messagePair('projects.publish.usage'));
  }
  // The name printed on the evaluation report (a Chinese document, so the default is the Chinese one).
  const centreName = typeof values['centre'] === 'string' && values['centre'].trim() !== '' ? values['centre'].trim() : translate('zh-CN', 'reportCli.material.defaultCentre');
  if (centreName.length > 200) throw usageError(messagePair('reportCli.material.centreTooLong'));
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resultFile, 'utf8'));
  } catch (error) {
    throw usageError(messagePair('projects.publish.resultUnreadable', { file: resultFile, reason: (error as Error).message }));
  }
  const parsedResult = drawResultSchema.safeParse(raw);
  if (!parsedResult.success) throw badInput(parsedResult.error, 'publish-project');
  const result = parsedResult.data;
  const known = result.draws.map((d) => d.project);
  if (!known.includes(code)) {
    throw usageError(
      messagePairBy('projects.publish.noSuchProject', (lang) => ({
        code,
        known: known.join(lang === 'en' ? ', ' : '、') || translate(lang, 'projects.mode.none'),
      })),
    );
  }

  let material: ProjectMaterial;
  try {
    material = readProjectMaterial(materialDir, MAX_TENDER_FILE_BYTES);
  } catch (error) {
    if (error instanceof MaterialError) throw new UsageError(error.chinese, error.message);
    throw error;
  }
  // The draw decides which projects are reviewed blind (docs/DRAW.md) and tells each booth in
  // roster.booth; the material must say the same, so the two messages a booth gets never disagree.
  const drawBlind = result.blind.includes(code);
  if (material.blind !== drawBlind) {
    const mode = (lang: Lang, blind: boolean): string => (lang === 'en' ? String(blind) : translate(lang, blind ? 'projects.mode.blind' : 'projects.mode.open'));
    throw usageError(
      messagePairBy('projects.publish.blindMismatch', (lang) => ({ code, material: mode(lang, material.blind), draw: mode(lang, drawBlind) })),
    );
  }

  let checks: TenderFilesCheck;
  try {
    let lastLine = 0;
    checks = await checkTenderFiles({
      files: material.files,
      blindBidders: material.blind ? material.bidders : null,
      onProgress: ({ path, page, pages }) => {
        // A long file takes seconds: a line every ~200 pages on stderr, so staff see it move.
        if (page === pages || page - lastLine >= 200) {
          lastLine = page === pages ? 0 : page;
          io.stderr.write(`${bilingual('projects.publish.scanning')}: ${path} ${page}/${pages}\n`);
        }
      },
      ocr: values['no-ocr'] !== true,
      // OCR takes about a second a page: a line each.
      onOcrPage: ({ path, page, done, total, found, ms, failed }) => {
        const what = failed ? bilingual('projects.publish.ocrFailed') : `${found}`;
        const where = `${path} ${bilingual('projects.publish.page', { page })}`;
        io.stderr.write(`${bilingual('projects.publish.ocr')}: ${where} (${done}/${total}) ${what} ${(ms / 1000).toFixed(1)} s\n`);
      },
    });
  } catch (error) {
    if (error instanceof TenderFileCheckError) throw new UsageError(error.chinese, error.message);
    throw error;
  }
  // The report's material is checked with the rest, before anything is stored or sent.
  let reportMaterial: ReportMaterial;
  try {
    reportMaterial = checkReportMaterial(
      { title: material.title, category: material.category, blind: material.blind, centreName, bidders: material.bidders.map((b) => ({ code: b.code, name: b.name })) },
      PROJECT_FILE,
    );
  } catch (error) {
    if (error instanceof BilingualError) throw new UsageError(error.zh, error.en);
    throw error;
  }
  const redactionsByPath = new Map(checks.files.map((c) => [c.path, c.ocr?.redactions ?? []]));
  const payload = projectBoothPayload(result, code, material, redactionsByPath);

  const store = await openStore(storage);
  let summary: PublishProjectSummary;
  try {
    const devices = await store.listDevices();
    const seats: SeatedBooth[] = seatedBooths(result, await store.listSiteTrees(), devices).filter((s) => s.seat.project === code);
    // A replacement seated at another booth (committee replace --booth) keeps its files and gets the material again.
    const replacements = replacementBooths(await store.listLedger({ project: code, date: result.date }), devices, result.date, code);

    const files = material.files.map((f) => ({
      sha256: f.sha256,
      bytes: f.bytes,
      bidder: f.bidder,
      path: f.path,
      stored: storeFile(dataDir, f.sha256, readFileSync(f.absolute)).written,
    }));
    const booths = [...new Set([...seats.flatMap((s) => (s.boothId === null ? [] : [s.boothId])), ...replacements.map((r) => r.boothId)])].sort();
    writeGrant(dataDir, { date: result.date, project: code, booths, files: payload.files, publishedAt: Date.now() });
    writeReportMaterial(dataDir, result.date, code, reportMaterial);

    const { privateKeyPkcs8, centralId } = await store.getCentralIdentity();
    const deps = { store, privateKey: privateKeyFromPkcs8(privateKeyPkcs8), now: Date.now };
    let sent = 0;
    const recipients = [...new Set([...seats, ...replacements].flatMap((s) => (s.deviceId === null ? [] : [s.deviceId])))];
    for (const deviceId of recipients) {
      const request = createMessageRequestSchema.safeParse({ deviceId, type: PROJECT_BOOTH_MESSAGE, payload });
      if (!request.success) throw badInput(request.error, 'publish-project project.booth');
      await createDownstreamMessage(deps, request.data);
      sent++;
    }
    // Last, so that a committee is never opened on material its booths were not sent.
    let committee: CommitteeSummary;
    // A committee needs every member's booth: one it cannot hear from would block every stage.
    if (material.bids === null) committee = { opened: false, why: 'no_bids' };
    else if (seats.length === 0 || seats.some((s) => s.deviceId === null)) committee = { opened: false, why: 'no_devices' };
    else {
      try {
        const opened = await openCommitteeFromStore(
          { ...deps, centralId },
          { result, project: code, rules: material.rules, bids: material.bids, blind: material.blind },
        );
        committee = { opened: true, method: material.rules.method, members: opened.members, alternates: opened.alternates };
      } catch (error) {
        // Published again (a booth PC replaced) after the committee decided something: it stands as it is.
        if (!(error instanceof ApiError && error.code === 'COMMITTEE_REFUSED')) throw error;
        committee = { opened: false, why: 'decided' };
      }
    }
    summary = {
      project: code,
      date: result.date,
      title: material.title,
      blind: material.blind,
      bidders: material.bidders.length,
      files,
      booths: booths.length,
      sent,
      undelivered: seats
        .filter((s) => s.deviceId === null)
        .map((s) => ({ expert: s.seat.expert, site: s.seat.site, room: s.seat.room, label: s.seat.label, why: s.boothId === null ? 'no_such_booth' : 'no_device' })),
      imageWarnings: checks.files
        .filter((c) => c.imagePages.length > 0)
        .map((c) => ({ bidder: c.bidder, path: c.path, pages: c.pages, imagePages: c.imagePages, ocr: c.ocr ? fileOcrSummary(c.ocr) : null })),
      ocrAvailable: checks.ocr?.available ?? null,
      ocrNote: checks.ocr?.reason?.english ?? null,
      committee,
    };
  } finally {
    await store.close();
  }

  if (values['json']) {
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  io.stdout.write(formatPublishSummary({ ...summary, ocrNoteChinese: checks.ocr?.reason?.chinese ?? null }));
  return 0;
}

function fileOcrSummary(ocr: NonNullable<TenderFilesCheck['files'][number]['ocr']>): FileOcrSummary {
  const perPage = new Map<number, number>();
  for (const r of ocr.redactions) perPage.set(r.page, (perPage.get(r.page) ?? 0) + 1);
  return {
    pages: ocr.pages,
    covered: ocr.redactions.length,
    coveredPages: [...perPage].sort((a, b) => a[0] - b[0]).map(([page, names]) => ({ page, names })),
    failedPages: ocr.failedPages,
  };
}

function usageError(m: MessagePair): UsageError {
  return new UsageError(m.zh, m.en);
}

/** A message as two lines: Chinese, then English. */
function pairLines(m: MessagePair): string[] {
  return [m.zh, m.en];
}

function committeeLine(c: CommitteeSummary): string {
  if (c.opened) {
    const { zh, en } = messagePairBy('projects.summary.committee', (lang) => ({
      method: translate(lang, c.method === 'comprehensive' ? 'projects.method.comprehensive' : 'projects.method.lowest_price'),
      members: c.members,
      alternates: c.alternates,
    }));
    return `${zh} / ${en}`;
  }
  const reason = c.why === 'no_bids' ? 'projects.committee.noBids' : c.why === 'no_devices' ? 'projects.committee.noDevices' : 'projects.committee.decided';
  const { zh, en } = messagePairBy('projects.summary.noCommittee', (lang) => ({ reason: translate(lang, reason) }));
  return `${zh} / ${en}`;
}

export function formatPublishSummary(s: PublishProjectSummary): string {
  const total = s.files.reduce((n, f) => n + f.bytes, 0);
  const fresh = s.files.filter((f) => f.stored).length;
  const project = messagePairBy('projects.summary.project', (lang) => ({
    project: s.project,
    title: s.title,
    date: s.date,
    mode: translate(lang, s.blind ? 'projects.mode.blind' : 'projects.mode.open'),
    bidders: s.bidders,
    files: s.files.length,
    size: formatMb(total),
    fresh,
  }));
  const pages = (lang: Lang, list: readonly number[]): string => (lang === 'en' ? formatPageList(list, ', ') : formatPageList(list));
  return [
    project.zh,
    project.en,
    bilingual('projects.summary.granted', { booths: s.booths, sent: s.sent }),
    committeeLine(s.committee),
    ...s.files.map((f) => `  ${f.bidder}  ${f.sha256.slice(0, 12)}…  ${formatMb(f.bytes)}  ${f.path}`),
    ...s.undelivered.map((u) => undeliveredLine(u)),
    ...(s.ocrAvailable === false && s.imageWarnings.length > 0
      ? [
          ...pairLines(
            messagePairBy('projects.summary.noOcr', (lang) => ({ reason: (lang === 'en' ? s.ocrNote : (s.ocrNoteChinese ?? s.ocrNote)) ?? '' })),
          ),
        ]
      : []),
    ...s.imageWarnings.flatMap((w) => [
      ...(w.ocr?.coveredPages ?? []).flatMap((c) =>
        pairLines(
          messagePairBy('projects.summary.ocrCovered', (lang) => ({
            bidder: w.bidder,
            path: w.path,
            page: c.page,
            // "1 name", "2 names": English counts in words, Chinese says 处 after the number.
            names: lang === 'en' ? `${c.names} name${c.names === 1 ? '' : 's'}` : c.names,
          })),
        ),
      ),
      ...(w.ocr && w.ocr.failedPages.length > 0
        ? pairLines(
            messagePairBy('projects.summary.ocrPagesFailed', (lang) => ({
              bidder: w.bidder,
              path: w.path,
              pages: pages(lang, w.ocr?.failedPages.map((f) => f.page) ?? []),
              reason: w.ocr?.failedPages[0]?.reason ?? '',
            })),
          )
        : []),
      ...pairLines(
        messagePairBy(w.ocr ? 'projects.summary.imagesAfterOcr' : 'projects.summary.imagesNoOcr', (lang) => ({
          bidder: w.bidder,
          path: w.path,
          pages: pages(lang, w.imagePages),
        })),
      ),
    ]),
    '',
  ].join('\n');
}
