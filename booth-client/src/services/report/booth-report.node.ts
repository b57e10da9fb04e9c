/**
 * The booth's trusted side of the evaluation report (issue #14, docs/REPORT.md): the central's
 * `report.booth` messages, the report PDF to show (downloaded by hash, checked, kept), the member's
 * dissent, signature or refusal, and the report view the screen shows (booth-report.ts `ReportView`).
 *
 * - Messages: validated (a bad one is logged and skipped, never thrown: a throw would roll the inbox
 *   back and refuse the message forever), kept when newer than the stored one, for today's seat only,
 *   per member (a replacement seated here starts clean).
 * - The PDF: the draft in the dissent window, then the head (the final PDF with every signature so
 *   far). Fetched from the central by its SHA-256, kept only when the bytes hash to it, stored in the
 *   booth's database, and served to the viewer under REPORT_FILE_ID (files/booth-files.node.ts). A
 *   failed download retries with back-off (1 s … 60 s, jittered) and shows a `problem`; what is here
 *   stays usable while the central is away (the PDF shown before stays shown).
 * - Answers: each is a sync event recorded in ONE transaction with its row here (report_answer), after
 *   checking again that the report did not move meanwhile. A dissent is signed with the USB key
 *   (canonical JSON, kind 'report-dissent'); "no dissent" needs no PIN (the event log seals it). The
 *   signature is PAdES: the deterministic placeholder (shared/src/report/pdf-signature.node.ts) over
 *   the head whose bytes are the ones shown and hashed, the CMS made with the token; an SM2 key signs a
 *   detached CMS over the head itself (PAdES readers cannot check SM2). The booth keeps its own signed
 *   copy as the member's proof; the central rebuilds the same bytes from the event.
 *
 * Privacy: members appear by code name; the /Name of the signature is the code name, never a name.
 */
import { createHash } from 'node:crypto';
import {
  refuseToSignInputSchema,
  signReportInputSchema,
  submitDissentInputSchema,
  type ReportView,
} from '@kawei/shared/contract/booth-report.ts';
import { ApiError, badInput, describeZodError } from '@kawei/shared/errors.ts';
import { messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { addSignaturePlaceholder, embedSignature } from '@kawei/shared/report/pdf-signature.node.ts';
import {
  DISSENT_DOCUMENT_KIND,
  REPORT_BOOTH_EVENTS,
  REPORT_BOOTH_MESSAGE,
  reportBoothPayloadSchema,
  reportDissentPayloadSchema,
  reportSignedPayloadSchema,
  reportSignRefusedPayloadSchema,
  type DissentDocument,
  type ReportBoothPayload,
  type ReportSignatureFormat,
} from '@kawei/shared/report/report-events.ts';
import { createDetachedCms } from '@kawei/shared/signing/cms.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import type { EventPayload } from '@kawei/shared/sync/event-log.node.ts';
import { applyOnce, seatMismatch, type InboxMessage } from '../committee-message.node.ts';
import { boothDay } from '../roster/booth-day.ts';
import type { BoothSigner } from '../signing/booth-signer.node.ts';
import { answerStands, memberOf, reportStep, wantedPdf, type LocalAnswer } from './report-step.ts';
import { ReportStore, type AnswerRow, type MemberKey } from './report-store.node.ts';

export type ReportIngestOutcome = 'applied' | 'older' | 'duplicate' | 'not_for_this_seat' | 'malformed' | 'not_for_report';

/** The member this booth seats (roster: date, project, code name). */
export type ReportSeat = MemberKey;

export interface BoothReportOptions {
  database: SqliteDatabase;
  now: () => number;
  /** Today's seat from the roster (logged in or not): which messages concern this booth, what to download. */
  seatToday: () => ReportSeat | null;
  /** The central's report PDF by hash (CentralClient.fetchReportFile): the checked bytes, or a throw. */
  fetchPdf: (sha256: string, expectedBytes: number, onProgress: (received: number, total: number) => void) => Promise<Uint8Array>;
  /** The viewer's side (booth-files showReport): opens the PDF under REPORT_FILE_ID, answers its pages. */
  files: {
    showReport(report: { sha256: string; bytes: Uint8Array } | null): Promise<{ pages: number } | null>;
    reportShown(): string | null;
  };
  signer: Pick<BoothSigner, 'sign' | 'signWith'>;
  /** Appends a sync-log event and answers its seq; called inside this module's transactions. */
  record: (type: string, payload: EventPayload) => number;
  /** The central has acknowledged the event `seq`. */
  delivered: (seq: number) => boolean;
  /** The central is reachable right now. */
  online: () => boolean;
  /** Something in the view changed (a message, a download's progress or end, an answer). */
  changed: () => void;
  /** Back-off between download attempts. Default 1 s doubling to 60 s. */
  retry?: { initialMs?: number; maxMs?: number };
  log?: (message: string) => void;
}

type Problem = NonNullable<ReportView['problem']>;

interface Download {
  seat: ReportSeat;
  sha256: string;
  bytes: number;
  kind: 'draft' | 'head';
  received: number;
  total: number;
  attempts: number;
  problem: Problem | null;
  /** Set when the PDF is genuine but cannot be opened: no retry helps. */
  broken: boolean;
  cancelled: boolean;
  wake: (() => void) | null;
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const problemOf = (code: string, pair: MessagePair): Problem => ({ code, zh: pair.zh, en: pair.en });
/** Progress is pushed to the screen at most this often. */
const PROGRESS_EVERY_MS = 250;

export class BoothReport {
  readonly store: ReportStore;
  private readonly log: (message: string) => void;
  private download: Download | null = null;
  /** An answer being signed right now (a second call waits for nothing: it is refused). */
  private signing = false;
  private closed = false;
  private lastProgress = 0;
  /** The hash being opened in the viewer now (so a refresh does not open it twice). */
  private opening: string | null = null;

  constructor(private readonly o: BoothReportOptions) {
    this.store = new ReportStore(o.database);
    this.log = o.log ?? ((m) => console.warn(`[booth report] ${m}`));
  }

  // ── messages ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Applies one downstream message inside the inbox transaction. Never throws: a message this booth
   * cannot use is logged and remembered as skipped (applied_message), the booth goes on.
   */
  ingest(message: InboxMessage): ReportIngestOutcome {
    if (message.type !== REPORT_BOOTH_MESSAGE) return 'not_for_report';
    return applyOnce(this.o.database, message, this.o.now(), this.log, (id, payload) => this.apply(id, payload));
  }

  private apply(id: string, payload: unknown): ReportIngestOutcome {
    const parsed = reportBoothPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      this.log(`${REPORT_BOOTH_MESSAGE} ${id} malformed, refused: ${describeZodError(parsed.error)}`);
      return 'malformed';
    }
    const p = parsed.data;
    const mismatch =
      seatMismatch(p, boothDay(this.o.now()), this.o.seatToday()) ??
      (p.members.some((m) => m.codename === p.codename) ? null : `${p.codename} is not among the report's members`);
    if (mismatch !== null) {
      this.log(`${REPORT_BOOTH_MESSAGE} ${id} refused: ${mismatch}`);
      return 'not_for_this_seat';
    }
    if (!this.store.putView(p, id, this.o.now())) return 'older';
    this.store.outdateDelivered(p, p.version, this.o.delivered);
    return 'applied';
  }

  /** The central's newest message for the member (only if it names the member's code name). */
  message(seat: ReportSeat): ReportBoothPayload | null {
    const m = this.store.view(seat)?.message ?? null;
    return m !== null && m.codename === seat.codename ? m : null;
  }

  // ── the PDF ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Brings the booth in line with today's message (after a message, at start): shows the PDF the
   * stage wants when it is here, downloads it otherwise (keeping the one shown before on screen).
   */
  refresh(): void {
    if (this.closed) return;
    const seat = this.o.seatToday();
    const row = seat ? this.store.view(seat) : null;
    const message = row !== null && seat !== null && row.message.codename === seat.codename ? row.message : null;
    if (seat === null || message === null) {
      this.cancelDownload();
      if (this.o.files.reportShown() !== null) void this.o.files.showReport(null).then(() => this.o.changed());
      return;
    }
    const want = wantedPdf(message);
    if (this.store.fileInfo(want.sha256) !== null) {
      this.cancelDownload();
      this.show(seat, want.sha256, want.kind);
      // The PDF may be the one on screen already (another member answered): the screen still needs the new message.
      this.o.changed();
      return;
    }
    // Meanwhile the PDF shown before stays on screen (offline: what is here stays usable).
    if (row?.shownSha256 && this.store.fileInfo(row.shownSha256) !== null) this.show(seat, row.shownSha256, row.shownKind ?? 'draft');
    const d = this.download;
    if (d && !d.cancelled && d.sha256 === want.sha256 && d.seat.date === seat.date && d.seat.project === seat.project && d.seat.codename === seat.codename) {
      // Already on it: a new message (or the screen asking) cuts the back-off short.
      d.wake?.();
      return;
    }
    this.cancelDownload();
    const next: Download = {
      seat,
      sha256: want.sha256,
      bytes: want.bytes,
      kind: want.kind,
      received: 0,
      total: want.bytes,
      attempts: 0,
      problem: null,
      broken: false,
      cancelled: false,
      wake: null,
    };
    this.download = next;
    void this.fetchLoop(next);
    this.o.changed();
  }

  private cancelDownload(): void {
    const d = this.download;
    if (!d) return;
    d.cancelled = true;
    d.wake?.();
    this.download = null;
  }

  /** Opens a stored PDF in the viewer (when it is not the one served already) and remembers it as shown. */
  private show(seat: ReportSeat, sha256: string, kind: 'draft' | 'head'): void {
    if (this.o.files.reportShown() === sha256 || this.opening === sha256) return;
    const file = this.store.file(sha256);
    if (!file) return;
    this.opening = sha256;
    this.o.files
      .showReport({ sha256, bytes: file.bytes })
      .then(
        () => {
          // A later showReport may have won meanwhile (booth-files: the last call is served).
          if (this.o.files.reportShown() === sha256) this.store.setShown(seat, sha256, kind);
        },
        (error: unknown) => this.log(`the report PDF ${sha256} could not be shown: ${(error as Error).message}`),
      )
      .finally(() => {
        if (this.opening === sha256) this.opening = null;
        this.o.changed();
      });
  }

  private sleep(d: Download, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        d.wake = null;
        resolve();
      }
      d.wake = done;
    });
  }

  private async fetchLoop(d: Download): Promise<void> {
    let delay = this.o.retry?.initialMs ?? 1000;
    const maxMs = this.o.retry?.maxMs ?? 60_000;
    while (!d.cancelled && !this.closed) {
      d.attempts++;
      d.received = 0;
      try {
        const bytes = await this.o.fetchPdf(d.sha256, d.bytes, (received, total) => {
          d.received = received;
          if (total > 0) d.total = total;
          const t = performance.now();
          if (t - this.lastProgress >= PROGRESS_EVERY_MS) {
            this.lastProgress = t;
            this.o.changed();
          }
        });
        if (d.cancelled || this.closed) return;
        // Checked again here: nothing but the named bytes is ever kept or shown.
        const actual = sha256Hex(bytes);
        if (actual !== d.sha256 || bytes.byteLength !== d.bytes) {
          throw new ApiError('CENTRAL_BAD_RESPONSE', `the report PDF received hashes to ${actual} (${bytes.byteLength} bytes), not ${d.sha256}`, {
            expected: d.sha256,
            actual,
          });
        }
        let pages: number;
        try {
          pages = (await this.o.files.showReport({ sha256: d.sha256, bytes }))?.pages ?? 0;
        } catch (error) {
          d.broken = true;
          d.problem = problemOf('REPORT_BROKEN', messagePair('reportBooth.problem.broken', { detail: (error as Error).message }));
          this.log(`the report PDF ${d.sha256} matches its hash but cannot be opened: ${(error as Error).message}`);
          this.o.changed();
          return;
        }
        if (d.cancelled || this.closed) return;
        const message = this.message(d.seat);
        this.o.database
          .transaction(() => {
            this.store.putFile(d.sha256, d.seat.date, d.seat.project, bytes, pages, this.o.now());
            this.store.setShown(d.seat, d.sha256, d.kind);
            if (message) {
              const keep = new Set([message.draft.sha256, message.final?.sha256, message.head?.sha256].filter((s): s is string => s !== undefined));
              this.store.prune(d.seat.date, d.seat.project, keep);
            }
          })
          .immediate();
        if (this.download === d) this.download = null;
        this.o.changed();
        return;
      } catch (error) {
        if (d.cancelled || this.closed) return;
        const e = error as Error & { details?: { actual?: unknown } };
        const hashWrong = e instanceof ApiError && typeof e.details === 'object' && e.details !== null && 'actual' in e.details;
        d.problem = hashWrong
          ? problemOf('REPORT_HASH_MISMATCH', messagePair('reportBooth.problem.hash'))
          : problemOf('REPORT_DOWNLOAD_FAILED', messagePair('reportBooth.problem.download', { detail: e.message ?? String(error) }));
        const wait = Math.round(delay * (0.75 + Math.random() * 0.5));
        this.log(`report PDF ${d.sha256}: attempt ${d.attempts} failed (${e.message}); retrying in ${wait} ms`);
        this.o.changed();
        await this.sleep(d, wait);
        delay = Math.min(maxMs, delay * 2);
      }
    }
  }

  // ── the view ───────────────────────────────────────────────────────────────────────────────────

  private local(row: AnswerRow | null): LocalAnswer | null {
    return row === null ? null : { targetSha256: row.target_sha256, outdated: row.outdated_by !== null };
  }

  view(seat: ReportSeat): ReportView {
    const offline = !this.o.online();
    const message = this.message(seat);
    if (message === null) {
      return { step: 'none', stage: null, report: null, shown: null, download: null, myDissent: null, mySignature: null, turn: null, problem: null, offline };
    }
    const want = wantedPdf(message);
    const servedSha = this.o.files.reportShown();
    const served = servedSha === null ? null : this.store.fileInfo(servedSha);
    const row = this.store.view(seat);
    const dissentRow = this.store.answer(seat, 'dissent');
    const signatureRow = this.store.answer(seat, 'signed', 'refused');
    const dissent = this.local(dissentRow);
    const signature = this.local(signatureRow);
    const step = reportStep({ message, codename: seat.codename, pdfHere: servedSha === want.sha256 && served !== null, dissent, signature });
    const me = memberOf(message, seat.codename);
    const head = message.head ?? message.final;

    let myDissent: ReportView['myDissent'] = null;
    const dissentStands = answerStands(dissent, message.draft.sha256) || (me?.dissent !== 'pending' && dissentRow?.target_sha256 === message.draft.sha256);
    if (dissentRow !== null && dissentStands) {
      myDissent = { text: dissentRow.text ?? '', signedAt: dissentRow.text === null ? null : dissentRow.at, none: dissentRow.text === null };
    } else if (me && me.dissent !== 'pending') {
      myDissent = { text: '', signedAt: null, none: me.dissent === 'none' };
    }

    let mySignature: ReportView['mySignature'] = null;
    const signatureStands = (head !== null && answerStands(signature, head.sha256)) || (me !== null && me.signature !== 'pending');
    if (signatureRow !== null && signatureStands) {
      mySignature = signatureRow.kind === 'signed' ? { signedAt: signatureRow.at, refused: null } : { signedAt: null, refused: signatureRow.text ?? '' };
    } else if (me && me.signature !== 'pending') {
      mySignature = { signedAt: null, refused: me.signature === 'refused' ? '' : null };
    }

    const d = this.download;
    const ours = d !== null && d.sha256 === want.sha256 && d.seat.codename === seat.codename && d.seat.project === seat.project && d.seat.date === seat.date;
    return {
      step,
      stage: message.stage,
      report: message,
      shown:
        servedSha !== null && served !== null
          ? { sha256: servedSha, bytes: served.size, pages: Math.max(1, served.pages), kind: servedSha === want.sha256 ? want.kind : (row?.shownKind ?? 'draft') }
          : null,
      download: ours && !d.broken ? { received: d.received, total: d.total } : null,
      myDissent,
      mySignature,
      turn: message.turn !== null && message.turn !== seat.codename ? message.turn : null,
      problem: ours ? d.problem : null,
      offline,
    };
  }

  // ── answers ────────────────────────────────────────────────────────────────────────────────────

  /** The message and step as they stand, for an answer's checks (and again inside its transaction). */
  private current(seat: ReportSeat) {
    const message = this.message(seat);
    if (message === null) throw new ApiError('REPORT_NOT_READY', 'there is no evaluation report for this member yet');
    return { message, view: this.view(seat) };
  }

  private async exclusive<T>(what: string, job: () => Promise<T>): Promise<T> {
    if (this.signing) throw new ApiError('WRONG_PHASE', `${what}: another answer is being signed`);
    this.signing = true;
    try {
      return await job();
    } finally {
      this.signing = false;
    }
  }

  submitDissent(seat: ReportSeat, input: unknown): Promise<ReportView> {
    const parsed = submitDissentInputSchema.safeParse(input);
    if (!parsed.success) throw badInput(parsed.error, 'submitDissent');
    const { text, pin, sha256 } = parsed.data;
    const check = (): ReportBoothPayload => {
      const { message, view } = this.current(seat);
      if (message.stage !== 'dissent') throw new ApiError('DISSENT_CLOSED', 'the dissent window is closed');
      if (view.step === 'wait_dissent') throw new ApiError('WRONG_PHASE', 'this member has already answered');
      if (message.draft.sha256 !== sha256) throw new ApiError('REPORT_CHANGED', 'the draft on screen is not the current draft');
      if (view.step !== 'dissent') throw new ApiError('REPORT_NOT_READY', 'the draft is not downloaded yet');
      return message;
    };
    const message = check();
    if (text !== null && pin === undefined) throw new ApiError('BAD_INPUT', 'submitDissent: a dissent is signed with the USB key: the PIN is required');
    return this.exclusive('submitDissent', async () => {
      let dissent: { document: DissentDocument; signed: unknown } | null = null;
      if (text !== null) {
        const document: DissentDocument = {
          kind: DISSENT_DOCUMENT_KIND,
          version: 1,
          date: seat.date,
          project: seat.project,
          codename: seat.codename,
          draftSha256: sha256,
          text,
        };
        const signature = await this.o.signer.sign('report-dissent', document, pin as string);
        dissent = { document, signed: signature.document };
      }
      const payload = reportDissentPayloadSchema.parse({ date: seat.date, project: seat.project, codename: seat.codename, draftSha256: sha256, dissent });
      const at = this.o.now();
      this.o.database
        .transaction(() => {
          check(); // the window may have closed while the key signed
          const seq = this.o.record(REPORT_BOOTH_EVENTS.dissent, payload as unknown as EventPayload);
          this.store.putAnswer(seat, { kind: 'dissent', target: sha256, version: message.version, eventSeq: seq, at, text, signedSha256: null, payload });
        })
        .immediate();
      this.o.changed();
      return this.view(seat);
    });
  }

  /** The head to sign, checked: this member's turn, the bytes here, the hash on screen the head's. */
  private headToSign(seat: ReportSeat, sha256: string): { message: ReportBoothPayload; head: Uint8Array } {
    const { message, view } = this.current(seat);
    const headRef = message.head;
    if (message.stage === 'signing' && view.step === 'fetching') throw new ApiError('REPORT_NOT_READY', 'the report to sign is not downloaded yet');
    if (view.step !== 'sign' || headRef === null) throw new ApiError('REPORT_NOT_YOUR_TURN', `it is not ${seat.codename}'s turn to sign (${view.step})`);
    if (sha256 !== headRef.sha256) throw new ApiError('REPORT_CHANGED', 'the report on screen is not the one to sign now');
    const file = this.store.file(headRef.sha256);
    if (file === null) throw new ApiError('REPORT_NOT_READY', 'the report to sign is not downloaded yet');
    // The bytes signed are the bytes shown and hashed: checked once more as they are read.
    if (sha256Hex(file.bytes) !== sha256 || this.o.files.reportShown() !== sha256) throw new ApiError('REPORT_CHANGED', 'the report held here is not the one on screen');
    return { message, head: file.bytes };
  }

  signReport(seat: ReportSeat, input: unknown): Promise<ReportView> {
    const parsed = signReportInputSchema.safeParse(input);
    if (!parsed.success) throw badInput(parsed.error, 'signReport');
    const { pin, sha256 } = parsed.data;
    const { message, head } = this.headToSign(seat, sha256);
    return this.exclusive('signReport', async () => {
      const signed = await this.o.signer.signWith(pin, async (signer, _trustList, cmsOptions) => {
        // Whole seconds: the PDF's /M and the CMS signingTime carry none, and the central rebuilds the
        // placeholder from this very instant.
        const signingTime = new Date(Math.floor(this.o.now() / 1000) * 1000);
        if (signer.algorithm === 'SM2-SM3') {
          const cms = await createDetachedCms(head, signer, { ...cmsOptions, signingTime });
          return { format: 'cms-detached' as ReportSignatureFormat, cms: cms.der, signingTime, copy: null };
        }
        const prepared = addSignaturePlaceholder(head, { fieldName: message.fieldName, signerName: seat.codename, signingTime });
        const cms = await createDetachedCms(prepared.signedContent, signer, { ...cmsOptions, signingTime });
        return { format: 'pades' as ReportSignatureFormat, cms: cms.der, signingTime, copy: embedSignature(prepared, cms.der) };
      });
      const payload = reportSignedPayloadSchema.parse({
        date: seat.date,
        project: seat.project,
        codename: seat.codename,
        headSha256: sha256,
        format: signed.format,
        fieldName: message.fieldName,
        signingTime: signed.signingTime.toISOString(),
        signerName: seat.codename,
        cms: Buffer.from(signed.cms).toString('base64'),
      });
      const copySha = signed.copy === null ? null : sha256Hex(signed.copy);
      const at = this.o.now();
      this.o.database
        .transaction(() => {
          this.headToSign(seat, sha256); // the head or the turn may have moved while the key signed
          const seq = this.o.record(REPORT_BOOTH_EVENTS.signed, payload as unknown as EventPayload);
          if (signed.copy !== null && copySha !== null) {
            this.store.putFile(copySha, seat.date, seat.project, signed.copy, this.store.fileInfo(sha256)?.pages ?? 0, at);
          }
          this.store.putAnswer(seat, { kind: 'signed', target: sha256, version: message.version, eventSeq: seq, at, text: null, signedSha256: copySha, payload });
        })
        .immediate();
      this.o.changed();
      return this.view(seat);
    });
  }

  refuseToSign(seat: ReportSeat, input: unknown): Promise<ReportView> {
    const parsed = refuseToSignInputSchema.safeParse(input);
    if (!parsed.success) throw badInput(parsed.error, 'refuseToSign');
    const { reason, sha256 } = parsed.data;
    const { message } = this.headToSign(seat, sha256);
    return this.exclusive('refuseToSign', async () => {
      const payload = reportSignRefusedPayloadSchema.parse({ date: seat.date, project: seat.project, codename: seat.codename, headSha256: sha256, reason });
      const at = this.o.now();
      this.o.database
        .transaction(() => {
          this.headToSign(seat, sha256);
          const seq = this.o.record(REPORT_BOOTH_EVENTS.signRefused, payload as unknown as EventPayload);
          this.store.putAnswer(seat, { kind: 'refused', target: sha256, version: message.version, eventSeq: seq, at, text: reason, signedSha256: null, payload });
        })
        .immediate();
      this.o.changed();
      return this.view(seat);
    });
  }

  /** Trusted side (tests, audit): the member's own signed copy of the report (PAdES), if any. */
  signedCopy(seat: ReportSeat): Uint8Array | null {
    const row = this.store.answer(seat, 'signed');
    return row?.signed_sha256 ? (this.store.file(row.signed_sha256)?.bytes ?? null) : null;
  }

  close(): void {
    this.closed = true;
    this.cancelDownload();
  }
}
