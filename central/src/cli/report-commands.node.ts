import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiError } from '@kawei/shared/errors.ts';
import { bilingual, messagePair, messagePairBy, pairLine, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { REPORT_BOOTH_EVENTS, reportDissentPayloadSchema } from '@kawei/shared/report/report-events.ts';
import { isSigningError } from '@kawei/shared/signing/signing-errors.ts';
import type { TrustList } from '@kawei/shared/signing/trust-list.ts';
import { loadTrustListFolder } from '@kawei/shared/signing/trust-list.node.ts';
import { DEFAULT_PKCS11_MODULE } from '@kawei/shared/signing/pkcs11-provider.node.ts';
import type { Signer } from '@kawei/shared/signing/signer.ts';
import type { KaweiStore } from '../storage/open-store.node.ts';
import { createCommitteeService } from '../committee/committee-service.node.ts';
import type { CommitteeState } from '../committee/committee-types.ts';
import type { ReportState } from '../report/report-types.ts';
import { readReportMaterial } from '../report/report-material.node.ts';
import { certificatesInFile, expertNamesFrom } from '../report/report-serve-config.node.ts';
import { formatReportStatus, notBegunPair, reportStatusJson, sha256Sums, stageLabel, verifyInstructions, type ExportedFile } from './report-text.ts';
import { parseCommandArgs, UsageError, usageError, type ParsedCommandArgs } from './cli-args.node.ts';
import { withExistingStore } from './existing-store.node.ts';
import type { CliIo } from './cli-io.ts';

/**
 * `kawei-central report --project P [--date D] render|status|verify|sign|close-dissent|export`: the
 * evaluation report (评标报告, issue #14) from the centre's desk, through the report service
 * (central/src/report/report-service.node.ts) on the same database the server uses:
 *
 * - render: renders what is due now (the draft once the results are final, the final PDF once the
 *   dissent window closed, the annexes) and prints the hashes; what `serve` does on its own;
 * - status: the stage, each member's answer and signature (评委n + code name), whose turn it is;
 * - verify --trust DIR [--pdf FILE]: the record re-derived and every signature checked
 *   (verify-report.node.ts); with --pdf, that file is checked too (it must be a PDF the ledger names,
 *   its signatures valid); exit 0 all good, 1 anything wrong;
 * - sign --trust DIR --slot S --pin-file F --name NAME [--module M] [--operator O]: the supervisor's
 *   (监标人) signature, last, with a PKCS#11 token. The PIN is read from a file, never from the
 *   command line (which every user of the machine can read in the process list);
 * - close-dissent --operator NAME --why TEXT: closes the dissent window (members who have not
 *   answered are recorded as having no dissent) and renders the final PDF;
 * - export --out DIR: the current PDF as report.pdf, the unsigned final PDF, the annexes with the
 *   centre's CMS, the seal's CA certificate, the dissents with their CMS, SHA256SUMS and VERIFY.txt
 *   (the pdfsig and openssl commands that check them without Kawei).
 *
 * The acts that change the report (render, sign, close-dissent) take --supervision-cert FILE… as
 * `serve` does: the identity annex, made with the final PDF, is encrypted for those certificates.
 * Exit codes as the other commands: 0 done, 1 refused or verification failed, 2 bad arguments.
 */

export const REPORT_FAULT_EXIT = 1;

const SUBCOMMANDS = ['render', 'status', 'verify', 'sign', 'close-dissent', 'record-unsigned', 'export'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The seal's folder in the data directory (`serve` uses the same). */
export const SEAL_DIR = 'seal';

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    'report',
    args,
    {
      project: { type: 'string' },
      date: { type: 'string' },
      json: { type: 'boolean', default: false },
      trust: { type: 'string' },
      pdf: { type: 'string' },
      module: { type: 'string', default: DEFAULT_PKCS11_MODULE },
      slot: { type: 'string' },
      'pin-file': { type: 'string' },
      name: { type: 'string' },
      operator: { type: 'string' },
      why: { type: 'string' },
      out: { type: 'string' },
      'supervision-cert': { type: 'string', multiple: true },
      experts: { type: 'string' },
      codename: { type: 'string' },
    },
    { min: 1, max: 1, name: SUBCOMMANDS.join('|') },
  );
  const sub = parsed.positionals[0] as Subcommand;
  if (!SUBCOMMANDS.includes(sub)) throw usageError('reportCli.args.sub', { sub: String(sub) });
  const project = text(parsed, 'project');
  if (!project) throw usageError('reportCli.args.project');
  const wanted = text(parsed, 'date');
  if (wanted !== undefined && !ISO_DATE.test(wanted)) throw usageError('reportCli.args.date', { date: wanted });
  // Every argument is checked before the database is opened.
  const trustDir = text(parsed, 'trust');
  if ((sub === 'verify' || sub === 'sign') && trustDir === undefined) throw usageError('reportCli.args.trust', { sub });
  const sign = sub === 'sign' ? signArguments(parsed) : null;
  const close = sub === 'close-dissent' || sub === 'record-unsigned' ? operatorAndWhy(parsed) : null;
  const unsignedCodename = sub === 'record-unsigned' ? codenameArgument(parsed) : null;
  const out = sub === 'export' ? exportDir(parsed) : null;
  const supervision = supervisionCertificates(parsed);
  const expertsDir = text(parsed, 'experts');
  const expertName = expertsDir === undefined ? null : expertNamesOption(resolve(expertsDir));
  const trust = trustDir === undefined ? null : loadTrust(resolve(trustDir));

  return withExistingStore(parsed, async (store) => {
    const date = await committeeDate(store, project, wanted);
    const committee = await committeeState(store, date, project);
    const ctx: Ctx = { store, parsed, date, project, committee, trust, supervision, expertName, io, json: parsed.values['json'] === true };
    switch (sub) {
      case 'status':
        return statusCommand(ctx);
      case 'render':
        return renderCommand(ctx);
      case 'close-dissent':
        return closeDissentCommand(ctx, close!);
      case 'record-unsigned':
        return recordUnsignedCommand(ctx, { ...close!, codename: unsignedCodename! });
      case 'sign':
        return signCommand(ctx, sign!);
      case 'verify':
        return verifyCommand(ctx);
      case 'export':
        return exportCommand(ctx, out!);
    }
  });
}

interface Ctx {
  store: KaweiStore;
  parsed: ParsedCommandArgs;
  date: string;
  project: string;
  committee: CommitteeState;
  trust: TrustList | null;
  supervision: Uint8Array[];
  /** The experts' names for the identity annex (--experts DIR); null: by id. */
  expertName: ((expert: string) => string | null) | null;
  io: CliIo;
  json: boolean;
}

// ── the subcommands ──────────────────────────────────────────────────────────────────────────────

async function statusCommand(ctx: Ctx): Promise<number> {
  const report = await (await reportService(ctx)).state(ctx.date, ctx.project);
  printStatus(ctx, report);
  return 0;
}

function printStatus(ctx: Ctx, report: ReportState | null, heading?: string): void {
  if (ctx.json) {
    ctx.io.stdout.write(`${JSON.stringify(reportStatusJson(ctx.date, ctx.project, ctx.committee, report))}\n`);
    return;
  }
  ctx.io.stdout.write(`${heading === undefined ? '' : `${heading}\n`}${formatReportStatus(ctx.date, ctx.project, ctx.committee, report)}`);
}

async function renderCommand(ctx: Ctx): Promise<number> {
  if (ctx.committee.stage !== 'final') throw notBegun(ctx);
  const service = await reportService(ctx);
  const before = await service.state(ctx.date, ctx.project);
  await service.advance(ctx.date, ctx.project);
  const after = await service.state(ctx.date, ctx.project);
  if (after === null || after.draft === null) {
    // The service logs why (a render failure is never thrown at the booths' pipeline); say it here.
    ctx.io.stderr.write(`${bilingual('reportCli.render.failed')}\n`);
    return REPORT_FAULT_EXIT;
  }
  const changed = before?.version !== after.version;
  printStatus(ctx, after, bilingual(changed ? 'reportCli.render.done' : 'reportCli.render.nothingDue', { stage: stageLabel(after.stage) }));
  return 0;
}

async function closeDissentCommand(ctx: Ctx, act: { operator: string; why: string }): Promise<number> {
  const service = await reportService(ctx);
  const after = await refusedAsFault(ctx, () => service.closeDissent(ctx.date, ctx.project, act.operator, act.why));
  if (after === null) return REPORT_FAULT_EXIT;
  printStatus(ctx, after, bilingual('reportCli.closeDissent.done', { final: after.final?.sha256 ?? '-' }));
  return 0;
}

async function recordUnsignedCommand(ctx: Ctx, act: { codename: string; operator: string; why: string }): Promise<number> {
  const service = await reportService(ctx);
  const after = await refusedAsFault(ctx, () => service.recordUnsigned(ctx.date, ctx.project, act));
  if (after === null) return REPORT_FAULT_EXIT;
  printStatus(ctx, after, bilingual('reportCli.unsigned.done', { codename: act.codename }));
  return 0;
}

interface SignArguments {
  module: string;
  slot: string;
  pin: string;
  name: string;
  operator: string;
}

async function signCommand(ctx: Ctx, args: SignArguments): Promise<number> {
  const service = await reportService(ctx);
  const { Pkcs11Provider } = await import('@kawei/shared/signing/pkcs11-provider.node.ts');
  let provider: InstanceType<typeof Pkcs11Provider> | null = null;
  let signer: Signer | null = null;
  try {
    try {
      provider = new Pkcs11Provider({ modulePath: args.module, rescanIntervalMs: 0 });
      signer = await provider.open(args.slot, args.pin);
    } catch (error) {
      if (!isSigningError(error)) throw error;
      ctx.io.stderr.write(`${pairLine(messagePairBy('reportCli.sign.tokenFailed', (lang) => ({ reason: lang === 'en' ? error.en : error.zh })))}\n`);
      return REPORT_FAULT_EXIT;
    }
    const opened = signer;
    const after = await refusedAsFault(ctx, () => service.signAsSupervisor(ctx.date, ctx.project, { signer: opened, signerName: args.name, operator: args.operator }));
    if (after === null) return REPORT_FAULT_EXIT;
    printStatus(ctx, after, bilingual('reportCli.sign.done', { name: args.name, head: after.head?.sha256 ?? '-' }));
    return 0;
  } finally {
    await signer?.close?.();
    await provider?.close();
  }
}

async function verifyCommand(ctx: Ctx): Promise<number> {
  const { verifyReport } = await import('../report/verify-report.node.ts');
  // The annexes' seal is checked against the centre's own seal CA when this central has one (never made here).
  const { SEAL_CA_FILE } = await import('../report/centre-seal.node.ts');
  const sealTrust = existsSync(join(ctx.parsed.dataDir, SEAL_DIR, SEAL_CA_FILE)) ? (await centreSeal(ctx)).trustList : null;
  const verification = await verifyReport({ store: ctx.store, trustList: ctx.trust!, sealTrust }, ctx.date, ctx.project);
  const pdfFile = text(ctx.parsed, 'pdf');
  const pdf = pdfFile === undefined ? null : await verifyPdfFile(ctx, resolve(pdfFile));
  const ok = verification.ok && (pdf?.ok ?? true);
  if (ctx.json) {
    ctx.io.stdout.write(`${JSON.stringify({ ...verification, ok, ...(pdf === null ? {} : { pdf }) })}\n`);
  } else {
    const lines = [bilingual('reportCli.verify.heading', { project: ctx.project, date: ctx.date })];
    for (const p of verification.problems) lines.push(`  ${pairLine(p)}`);
    if (pdf !== null) {
      lines.push(bilingual('reportCli.verify.pdfHeading', { file: pdf.file, sha256: pdf.sha256 }));
      for (const p of pdf.problems) lines.push(`  ${pairLine(p)}`);
    }
    lines.push(ok ? bilingual('reportCli.verify.ok', { signatures: verification.signatures.length }) : bilingual('reportCli.verify.failed'));
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
  }
  return ok ? 0 : REPORT_FAULT_EXIT;
}

/**
 * `verify --pdf FILE`: a PDF someone holds (a copy sent on, an archived file) is the report only if
 * the ledger names it (the final PDF or a signature's head) — one byte changed anywhere and it is
 * none of them — and its signatures are each valid against the trust list.
 */
async function verifyPdfFile(ctx: Ctx, file: string): Promise<{ file: string; sha256: string; ok: boolean; named: boolean; signatures: { fieldName: string; ok: boolean }[]; problems: MessagePair[] }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (error) {
    throw usageError('reportCli.args.unreadable', { file, reason: (error as Error).message });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const report = await (await reportService(ctx)).state(ctx.date, ctx.project);
  const named = new Set([report?.final?.sha256, ...(report?.signatures ?? []).map((s) => s.headAfter?.sha256)].filter((s): s is string => s !== undefined));
  const problems: MessagePair[] = [];
  if (!named.has(sha256)) problems.push(messagePair('reportCli.verify.pdfNotNamed', { sha256 }));
  const { verifyPdfSignatures } = await import('@kawei/shared/report/pdf-signature.node.ts');
  let signatures: { fieldName: string; ok: boolean }[] = [];
  try {
    const checks = await verifyPdfSignatures(bytes, ctx.trust!);
    signatures = checks.map((c) => ({ fieldName: c.info.fieldName, ok: c.result.ok && c.info.byteRange[0] === 0 }));
    for (const c of checks) {
      if (!c.result.ok) problems.push(messagePair('reportCli.verify.pdfSignatureBad', { field: c.info.fieldName, reason: c.result.en }));
    }
  } catch (error) {
    problems.push(messagePair('reportCli.verify.pdfUnreadable', { reason: (error as Error).message }));
  }
  return { file, sha256, ok: problems.length === 0, named: named.has(sha256), signatures, problems };
}

async function exportCommand(ctx: Ctx, out: string): Promise<number> {
  const report = await (await reportService(ctx)).state(ctx.date, ctx.project);
  if (report === null || report.draft === null) throw notBegun(ctx);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const files: ExportedFile[] = [];
  const warnings: string[] = [];
  const write = (name: string, bytes: Uint8Array, role: ExportedFile['role'], content?: string, secret = false) => {
    writeFileSync(join(out, name), bytes, { mode: secret ? 0o600 : 0o644, flag: 'wx' });
    files.push({ name, sha256: createHash('sha256').update(bytes).digest('hex'), role, ...(content === undefined ? {} : { content }) });
  };
  const stored = async (sha256: string): Promise<Uint8Array> => {
    const file = await ctx.store.getReportFile(sha256);
    if (file === null) throw new ApiError('INTERNAL', `report file ${sha256} named by the ledger is missing from the central's store`);
    return file.bytes;
  };

  const head = report.head ?? report.final ?? report.draft;
  write('report.pdf', await stored(head.sha256), 'head');
  if (report.final !== null && report.final.sha256 !== head.sha256) write('report-final-unsigned.pdf', await stored(report.final.sha256), 'final');

  // An SM2 signer's detached CMS over the PDF it signed (that PDF is unchanged by it).
  for (const s of report.signatures.filter((x) => x.format === 'cms-detached')) {
    const content = s.headBefore === head.sha256 ? 'report.pdf' : `signed-by-${s.fieldName}.pdf`;
    if (content !== 'report.pdf') write(content, await stored(s.headBefore), 'signature-pdf');
    write(`${content}.${s.fieldName}.p7s`, Buffer.from(s.cms, 'base64'), 'signature-cms', content);
  }

  // Each dissent: the exact canonical JSON the member signed, and the CMS over it.
  for (const d of report.dissents) {
    if (d.text === null || d.cms === null) continue;
    const name = `dissent-judge-${d.judge}-${d.codename}.json`;
    const event = d.device === null || d.seq === null ? null : await ctx.store.getEvent(d.device, d.seq);
    const payload = event?.type === REPORT_BOOTH_EVENTS.dissent ? reportDissentPayloadSchema.safeParse(event.payload) : null;
    const content = payload?.success ? payload.data.dissent?.signed.content : undefined;
    if (content !== undefined) write(name, Buffer.from(content, 'utf8'), 'dissent');
    write(`${name}.p7s`, Buffer.from(d.cms, 'base64'), 'dissent-cms', name);
  }

  for (const annex of report.annexes) {
    const name = `annex-${annex.kind}.pdf`;
    if (annex.envelopeSha256 !== null) {
      // Sealed for the supervisors: only the envelope leaves the central.
      write(`${name}.p7m`, await stored(annex.envelopeSha256), 'annex-envelope', name);
    } else {
      write(name, await stored(annex.pdf.sha256), 'annex', undefined, annex.kind === 'identities');
      if (annex.kind === 'identities') warnings.push(bilingual('reportCli.export.identitiesPlain', { file: join(out, name) }));
    }
    write(`${name}.p7s`, await stored(annex.cmsSha256), 'annex-cms', name);
  }
  if (report.annexes.length > 0) {
    const seal = await centreSeal(ctx);
    write('seal-ca.pem', Buffer.from(seal.caPem, 'utf8'), 'seal-ca');
  }

  const sums = sha256Sums(files);
  writeFileSync(join(out, 'SHA256SUMS'), sums, { mode: 0o644, flag: 'wx' });
  writeFileSync(join(out, 'VERIFY.txt'), verifyInstructions({ date: ctx.date, project: ctx.project, files }), { mode: 0o644, flag: 'wx' });
  if (ctx.json) {
    ctx.io.stdout.write(`${JSON.stringify({ date: ctx.date, project: ctx.project, out, stage: report.stage, files })}\n`);
  } else {
    const lines = [bilingual('reportCli.export.done', { count: files.length, dir: out }), ...files.map((f) => `  ${f.sha256.slice(0, 16)}…  ${f.name}`)];
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
  }
  ctx.io.stderr.write(warnings.map((w) => `${w}\n`).join(''));
  return 0;
}

// ── the report service, on the CLI's store ───────────────────────────────────────────────────────

async function reportService(ctx: Ctx) {
  const { createReportService } = await import('../report/report-service.node.ts');
  const identity = await ctx.store.getCentralIdentity();
  const supervision = ctx.supervision;
  return createReportService({
    store: ctx.store,
    privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8),
    centralId: identity.centralId,
    now: Date.now,
    dataDir: ctx.parsed.dataDir,
    trustList: () => ctx.trust,
    seal: () => centreSeal(ctx),
    ...(supervision.length > 0 ? { supervisionCertificates: supervision } : {}),
    ...(ctx.expertName === null ? {} : { expertName: ctx.expertName }),
  });
}

/** The centre's seal (DATA/seal), made on first use with the centre's name from the project's material. */
async function centreSeal(ctx: Ctx) {
  const { loadOrCreateCentreSeal } = await import('../report/centre-seal.node.ts');
  const material = readReportMaterial(ctx.parsed.dataDir, ctx.date, ctx.project);
  return loadOrCreateCentreSeal(join(ctx.parsed.dataDir, SEAL_DIR), material?.centreName ?? translate('zh-CN', 'reportCli.material.defaultCentre'));
}

/** An act the report service refused (wrong stage, a signature it would not take): its own words, exit 1. */
async function refusedAsFault<T>(ctx: Ctx, act: () => Promise<T>): Promise<T | null> {
  try {
    return await act();
  } catch (error) {
    const pair = error instanceof ApiError ? pairOf(error) : null;
    if (pair === null || (error as ApiError).code === 'INTERNAL') throw error;
    ctx.io.stderr.write(`${bilingual('reportCli.refused', { code: (error as ApiError).code })}\n${pairLine(pair)}\n`);
    return null;
  }
}

function pairOf(error: ApiError): MessagePair | null {
  const pair = (error as { pair?: unknown }).pair;
  if (typeof pair !== 'object' || pair === null) return null;
  const { zh, en } = pair as { zh?: unknown; en?: unknown };
  return typeof zh === 'string' && typeof en === 'string' ? { zh, en } : null;
}

// ── arguments ────────────────────────────────────────────────────────────────────────────────────

function text(parsed: ParsedCommandArgs, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function signArguments(parsed: ParsedCommandArgs): SignArguments {
  const slot = text(parsed, 'slot');
  const pinFile = text(parsed, 'pin-file');
  const name = text(parsed, 'name');
  if (slot === undefined || pinFile === undefined || name === undefined) throw usageError('reportCli.args.sign');
  if (name.length > 64) throw usageError('reportCli.args.tooLong', { name: 'name', max: 64 });
  let pin: string;
  try {
    pin = readFileSync(pinFile, 'utf8').trim();
  } catch (error) {
    throw usageError('reportCli.args.pinFile', { file: pinFile, reason: (error as Error).message });
  }
  if (pin === '') throw usageError('reportCli.args.pinEmpty', { file: pinFile });
  const operator = text(parsed, 'operator') ?? name;
  if (operator.length > 64) throw usageError('reportCli.args.tooLong', { name: 'operator', max: 64 });
  return { module: String(parsed.values['module']), slot, pin, name, operator };
}

function operatorAndWhy(parsed: ParsedCommandArgs): { operator: string; why: string } {
  const operator = text(parsed, 'operator');
  const why = text(parsed, 'why');
  if (operator === undefined || why === undefined) throw usageError('reportCli.args.operatorWhy');
  if (operator.length > 64) throw usageError('reportCli.args.tooLong', { name: 'operator', max: 64 });
  if (why.length > 500) throw usageError('reportCli.args.tooLong', { name: 'why', max: 500 });
  return { operator, why };
}

function codenameArgument(parsed: ParsedCommandArgs): string {
  const codename = text(parsed, 'codename');
  if (codename === undefined) throw usageError('reportCli.args.codename');
  if (codename.length > 32) throw usageError('reportCli.args.tooLong', { name: 'codename', max: 32 });
  return codename;
}

function exportDir(parsed: ParsedCommandArgs): string {
  const out = text(parsed, 'out');
  if (out === undefined) throw usageError('reportCli.args.out');
  const dir = resolve(out);
  // Never over another export (or anything else): every file is written new.
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) throw usageError('reportCli.args.outNotEmpty', { dir });
  return dir;
}

function loadTrust(dir: string): TrustList {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw usageError('reportCli.args.trustMissing', { dir });
  try {
    return loadTrustListFolder(dir);
  } catch (error) {
    if (isSigningError(error)) throw UsageError.of(messagePairBy('reportCli.args.trustUnusable', (lang) => ({ dir, reason: lang === 'en' ? error.en : error.zh })));
    throw error;
  }
}

/** --supervision-cert FILE…: PEM (one or more certificates) or DER. */
function supervisionCertificates(parsed: ParsedCommandArgs): Uint8Array[] {
  const files = (parsed.values['supervision-cert'] as unknown as string[] | undefined) ?? [];
  return files.flatMap((file) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw usageError('reportCli.args.unreadable', { file, reason: (error as Error).message });
    }
    const found = certificatesInFile(bytes);
    if (found === null) throw usageError('reportCli.args.notCertificate', { file });
    return found;
  });
}

/** --experts DIR: the registry's names for the identity annex; an unreadable registry is an argument error. */
function expertNamesOption(dir: string): (expert: string) => string | null {
  try {
    return expertNamesFrom(dir);
  } catch (error) {
    throw usageError('reportCli.args.unreadable', { file: dir, reason: (error as Error).message });
  }
}

// ── the store and the committee ──────────────────────────────────────────────────────────────────

/** The committee's date: as given, or the latest the project has a committee on. */
async function committeeDate(store: KaweiStore, project: string, wanted: string | undefined): Promise<string> {
  if (wanted !== undefined) return wanted;
  const ledger = await store.listLedger({ project });
  const last = ledger.filter((e) => e.type === 'committee.opened').at(-1);
  if (!last) throw reportError('NOT_FOUND', messagePair('reportCli.noCommittee', { project }));
  return last.date;
}

async function committeeState(store: KaweiStore, date: string, project: string): Promise<CommitteeState> {
  const identity = await store.getCentralIdentity();
  const committee = createCommitteeService({ store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralId: identity.centralId, now: Date.now });
  const state = await committee.state(date, project);
  if (!state) throw reportError('NOT_FOUND', messagePair('reportCli.noCommitteeOn', { project, date }));
  return state;
}

function notBegun(ctx: Ctx): ApiError {
  return reportError('REPORT_NOT_READY', notBegunPair(ctx.committee));
}

/** An ApiError carrying its zh/en pair: run-cli prints both (and exits 2 for NOT_FOUND, 1 otherwise). */
function reportError(code: ApiError['code'], pair: MessagePair): ApiError {
  return Object.assign(new ApiError(code, pair.en), { pair });
}
