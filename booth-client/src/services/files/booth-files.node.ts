/**
 * The booth's tender files on the trusted side (issue #8): downloads the project's files from the
 * central by content hash, keeps them on disk, opens them with shared/src/tender and answers the
 * renderer's listFiles / getPage / getTextLayer / getOutline / searchFile calls.
 *
 * What the renderer gets (shared/src/contract/booth-session.ts):
 * - an opaque `fileId` per file (an HMAC under a key that lives only in this process: not the
 *   SHA-256, not the filed name);
 * - for blind projects (暗标) the title `投标文件（投标人A）`, never the filed title; page images with
 *   every bidder name and alias covered, text layers, outlines and search hits with names replaced
 *   (every bidder of the project is a needle in every file, so a rival's name is covered too), and the
 *   names the central's OCR found inside page images (`imageRedactions`) covered the same way;
 * - on every page image the watermark (code name, booth label, time to the minute), burnt in on the
 *   same canvas after the blind-review boxes (shared/src/tender/watermark.ts).
 *
 * Downloads: as soon as a project arrives every file is fetched in the background (two at a time),
 * checked against its size and SHA-256 (a mismatch is refused and retried), sealed and written
 * atomically to `<dataDir>/tender-files/` (AES-256-GCM at rest: file-cache.node.ts), and opened. While the central is away each file retries with exponential
 * back-off (1 s … 60 s, jittered); a call for a file that is not there yet answers FILE_UNAVAILABLE
 * and wakes its retry. Files of another project are deleted from the disk when the project changes.
 *
 * Pages are rendered lazily and cached per document (bytes-bounded LRU, shared/src/tender); at most
 * `maxOpenDocuments` documents stay open, the least recently used one is closed (and reopened from the
 * disk when it is asked for again).
 *
 * The evaluation report (issue #14) is served through the same calls under the file id
 * `REPORT_FILE_ID`: the report service (report/booth-report.node.ts) hands over the PDF it shows
 * (`showReport`, bytes already checked against their hash) and keeps the bytes itself; it is opened
 * here with the same pdf.js machinery, watermarked like every page, and never blind-covered (the
 * report names bids by code itself, and what is signed must be what is seen). It stays open while
 * shown, outside the tender files' LRU.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { ApiError, badInput } from '@kawei/shared/errors.ts';
import {
  BLIND_IMAGE_WARN_SHARE,
  fileIdInputSchema,
  pageInputSchema,
  searchInputSchema,
  type OutlineNode,
  type TenderFileView,
} from '@kawei/shared/contract/booth-session.ts';
import { projectBoothPayloadSchema, type ImageRedaction, type ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { buildNeedles, codeLabel, type Bidder } from '@kawei/shared/tender/blind-match.ts';
import { openTenderDocument, TenderFileError, type TenderDocument } from '@kawei/shared/tender/tender-document.node.ts';
import { watermarkText } from '@kawei/shared/tender/watermark.ts';
import { REPORT_FILE_ID } from '@kawei/shared/contract/booth-report.ts';
import { z } from 'zod';
import { loadOrCreateKeyFile } from '@kawei/shared/face/face-template-store.node.ts';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { sha256Hex, TENDER_FILES_DIR, TENDER_FILES_KEY_FILE, TenderFileCache } from './file-cache.node.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';

export interface BoothFilesOptions {
  /** The booth's data folder; files go to `<dataDir>/tender-files/`, sealed (file-cache.node.ts). */
  dataDir: string;
  /** The 32-byte key that seals the files at rest. Default: `<dataDir>/tender-files.key`, made at first use. */
  key?: Uint8Array;
  /** The central's file endpoint (`CentralClient.fetchFile`): the bytes for a hash, or a throw. */
  fetchFile: (sha256: string) => Promise<Uint8Array>;
  /** Who is reading, for the watermark: today's code name and the booth label. Called per page. */
  watermark: () => { codename: string; booth: string };
  now?: () => number;
  /** Back-off between download attempts of one file. Default 1 s doubling to 60 s. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Downloads at once. Default 2. */
  concurrency?: number;
  /** Documents kept open (each with its page caches). Default 4. */
  maxOpenDocuments?: number;
  /** Rendered bytes cached per open document. Default 32 MB. */
  imageCacheBytes?: number;
  /** Page image encoding. Default JPEG (quality 85): about twice as fast to encode as PNG. */
  imageFormat?: 'png' | 'jpeg';
  jpegQuality?: number;
  /** Minutes east of UTC for the watermark's clock. Default +8:00 (China Standard Time). */
  utcOffsetMinutes?: number;
  /** Download failures and broken files, for the booth's log (never shown to the renderer). */
  log?: (message: string, details?: Record<string, unknown>) => void;
}

export interface PageImageView {
  page: number;
  width: number;
  height: number;
  mime: 'image/png' | 'image/jpeg';
  /** Base64. */
  data: string;
  /** Share (0…1) of the page covered by raster images. */
  imageShare: number;
  /** Blind project and a page with images the name matcher cannot read (viewer warns), OCR boxes or not. */
  unverifiedImages: boolean;
}

export interface TextLayerView {
  page: number;
  width: number;
  height: number;
  items: { text: string; x: number; y: number; width: number; height: number }[];
}

export interface SearchHitView {
  page: number;
  count: number;
  snippet: string;
}

/** Per file, for the session screen or a technician (trusted side: no names, only codes and ids). */
export interface BoothFileStatus {
  fileId: string;
  bidderCode: string;
  state: 'pending' | 'ready' | 'broken';
  attempts: number;
  /** English; for logs. */
  lastError: string | null;
  nextAttemptAt: number | null;
}

export interface BoothFilesStatus {
  project: string | null;
  total: number;
  ready: number;
  files: BoothFileStatus[];
}

export interface BoothFiles {
  /**
   * The day's `project.booth` payload (schema-checked here), or null when there is none. Starts the
   * background downloads; the same project again keeps everything; another project (or null) closes
   * the documents and deletes other projects' files from the disk. Throws BAD_INPUT for a payload
   * that cannot be shown safely (a file of an unknown bidder; for blind projects, bidder codes that
   * are not 1–8 letters/digits or two bidders sharing a name): nothing of it is then served.
   */
  setProject(payload: ProjectBoothPayload | null): void;
  /** The files that are downloaded, verified and open, in the project's order. */
  listFiles(): TenderFileView[];
  /** Watermarked (and, blind, covered) page image. FILE_UNAVAILABLE while the file is not here. */
  getPage(input: { fileId: string; page: number; scale: number }): Promise<PageImageView>;
  getTextLayer(input: { fileId: string; page: number }): Promise<TextLayerView>;
  getOutline(input: { fileId: string }): Promise<OutlineNode[]>;
  searchFile(input: { fileId: string; query: string }): Promise<SearchHitView[]>;
  /** Resolves when every file of the current project is ready or broken (or the project changed). */
  prefetch(): Promise<void>;
  status(): BoothFilesStatus;
  /** Called when a file becomes ready or broken, or the project changes (e.g. to push the file list). */
  onChange(listener: () => void): () => void;
  /**
   * The report PDF to serve under REPORT_FILE_ID (the caller checked the bytes against `sha256`), or
   * null to serve none. Opens it (the same hash again keeps the open one) and answers its page
   * count; throws FILE_UNAVAILABLE when the PDF cannot be opened (nothing is served then).
   */
  showReport(report: { sha256: string; bytes: Uint8Array } | null): Promise<{ pages: number } | null>;
  /** The hash of the report PDF served now, or null. */
  reportShown(): string | null;
  close(): Promise<void>;
}

interface Entry {
  fileId: string;
  sha256: string;
  bytes: number;
  bidderCode: string;
  title: string;
  /**
   * Blind projects: the names the central's OCR found in this file's page images, painted like the
   * text-layer boxes (null for open projects, which show names anyway).
   */
  imageRedactions: ImageRedaction[] | null;
  state: 'pending' | 'ready' | 'broken';
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
  info: { pageCount: number; pageWidth: number; pageHeight: number } | null;
  /** Cuts the current back-off sleep short. */
  wake: (() => void) | null;
}

interface Project {
  code: string;
  blind: { bidders: Bidder[] } | null;
  entries: Entry[];
  byId: Map<string, Entry>;
  done: Promise<void>;
  cancelled: boolean;
}

interface OpenDoc {
  doc: Promise<TenderDocument>;
  users: number;
  evicted: boolean;
}

interface ReportDoc extends OpenDoc {
  sha256: string;
}

const DEFAULTS = { initialMs: 1000, maxMs: 60_000, concurrency: 2, maxOpenDocuments: 4, imageCacheBytes: 32 * 1024 * 1024 };
/** A call for a missing file wakes its retry at most this often. */
const NUDGE_MIN_INTERVAL_MS = 1000;

/**
 * The key the copies are sealed under. Only a cache is sealed with it, so a key file that cannot be
 * used (emptied by a power cut, wrong size, readable by others) is replaced and the copies are dropped
 * to be fetched again, rather than keeping the booth from its files.
 */
function tenderFilesKey(dataDir: string, log: NonNullable<BoothFilesOptions['log']>): Uint8Array {
  const file = join(dataDir, TENDER_FILES_KEY_FILE);
  try {
    return loadOrCreateKeyFile(file);
  } catch (error) {
    log('files: the tender-file key cannot be used; a new one is made and the cached copies are fetched again', { error: String(error) });
    rmSync(file, { force: true });
    rmSync(join(dataDir, TENDER_FILES_DIR), { recursive: true, force: true });
    return loadOrCreateKeyFile(file);
  }
}

export function createBoothFiles(options: BoothFilesOptions): BoothFiles {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const cache = new TenderFileCache(options.dataDir, options.key ?? tenderFilesKey(options.dataDir, log));
  const idKey = randomBytes(32);
  const retryInitial = options.retry?.initialMs ?? DEFAULTS.initialMs;
  const retryMax = options.retry?.maxMs ?? DEFAULTS.maxMs;
  const maxOpen = Math.max(1, options.maxOpenDocuments ?? DEFAULTS.maxOpenDocuments);
  const format = options.imageFormat ?? 'jpeg';
  const listeners = new Set<() => void>();
  const open = new Map<string, OpenDoc>(); // fileId → document, in use order (oldest first)
  let project: Project | null = null;
  let report: ReportDoc | null = null;
  let reportGeneration = 0;
  let closed = false;

  // Download slots.
  let running = 0;
  const waiting: (() => void)[] = [];
  const concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
  async function slot<T>(job: () => Promise<T>): Promise<T> {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await job();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  const changed = () => {
    for (const l of listeners) {
      try {
        l();
      } catch (error) {
        log('files: change listener failed', { error: String(error) });
      }
    }
  };

  const fileIdOf = (code: string, index: number, sha256: string) =>
    createHmac('sha256', idKey).update(`${code}\n${index}\n${sha256}`).digest('base64url').slice(0, 22);

  function sleep(entry: Entry, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        entry.wake = null;
        resolve();
      }
      entry.wake = done;
    });
  }

  async function openDoc(p: Project, entry: Entry, data?: Uint8Array): Promise<TenderDocument> {
    // A reopen reads the sealed copy back (and checks it); the plain bytes never touch the disk.
    const bytes = data ?? cache.read(entry.sha256);
    if (!bytes) throw new Error('the cached copy is missing or does not open');
    return openTenderDocument({ data: bytes }, {
      fileId: entry.fileId,
      imageCacheBytes: options.imageCacheBytes ?? DEFAULTS.imageCacheBytes,
      ...(p.blind ? { blind: { bidders: p.blind.bidders, ...(entry.imageRedactions ? { imageRedactions: entry.imageRedactions } : {}) } } : {}),
    });
  }

  /** Keeps `doc` as the most recently used open document, closing the oldest idle ones beyond the limit. */
  function remember(fileId: string, handle: OpenDoc): void {
    open.delete(fileId);
    open.set(fileId, handle);
    for (const [id, h] of open) {
      if (open.size <= maxOpen) break;
      if (id === fileId) continue;
      open.delete(id);
      h.evicted = true;
      if (h.users === 0) void h.doc.then((d) => d.close()).catch(() => {});
    }
  }

  async function acquire(p: Project, entry: Entry): Promise<void> {
    let delay = retryInitial;
    while (!p.cancelled && !closed) {
      entry.attempts++;
      try {
        let bytes = cache.read(entry.sha256);
        if (!bytes) {
          bytes = await slot(() => options.fetchFile(entry.sha256));
          if (p.cancelled || closed) return;
          if (bytes.byteLength !== entry.bytes || sha256Hex(bytes) !== entry.sha256) {
            throw new Error(`download does not match its hash (${bytes.byteLength} bytes, expected ${entry.bytes})`);
          }
          cache.write(entry.sha256, bytes);
        }
        let doc: TenderDocument;
        try {
          doc = await openDoc(p, entry, bytes);
        } catch (error) {
          // The bytes are the ones the central published: downloading again cannot help.
          entry.state = 'broken';
          entry.lastError = error instanceof Error ? error.message : String(error);
          entry.nextAttemptAt = null;
          log('files: a verified tender file cannot be opened', { fileId: entry.fileId, bidder: entry.bidderCode, error: entry.lastError });
          changed();
          return;
        }
        if (p.cancelled || closed) {
          await doc.close();
          return;
        }
        entry.info = { pageCount: doc.info.pageCount, pageWidth: doc.info.pageSize.width, pageHeight: doc.info.pageSize.height };
        entry.state = 'ready';
        entry.lastError = null;
        entry.nextAttemptAt = null;
        remember(entry.fileId, { doc: Promise.resolve(doc), users: 0, evicted: false });
        changed();
        return;
      } catch (error) {
        entry.lastError = error instanceof Error ? error.message : String(error);
        const wait = Math.round(delay * (0.75 + Math.random() * 0.5));
        entry.nextAttemptAt = now() + wait;
        log('files: download failed, retrying', { fileId: entry.fileId, attempt: entry.attempts, retryInMs: wait, error: entry.lastError });
        await sleep(entry, wait);
        delay = Math.min(retryMax, delay * 2);
      }
    }
  }

  function parseProject(payload: ProjectBoothPayload): Omit<Project, 'done'> {
    const parsed = projectBoothPayloadSchema.safeParse(payload);
    if (!parsed.success) throw badInput(parsed.error, 'project.booth');
    const pr = parsed.data;
    const codes = new Set(pr.bidders.map((b) => b.code));
    for (const f of pr.files) {
      if (!codes.has(f.bidder)) throw new ApiError('BAD_INPUT', `project.booth: a file names bidder ${f.bidder}, who is not among the bidders`);
      for (const r of f.imageRedactions ?? []) {
        if (!codes.has(r.code)) throw new ApiError('BAD_INPUT', `project.booth: an image redaction names bidder ${r.code}, who is not among the bidders`);
      }
    }
    let blind: Project['blind'] = null;
    if (pr.blind) {
      const bidders: Bidder[] = pr.bidders.map((b) => ({ name: b.name, code: b.code, aliases: b.aliases }));
      try {
        buildNeedles(bidders); // fail closed now rather than at the first page
      } catch (error) {
        throw new ApiError('BAD_INPUT', `project.booth: the bidder list cannot be used for blind review: ${error instanceof Error ? error.message : String(error)}`);
      }
      blind = { bidders };
    }
    const perBidder = new Map<string, number>();
    const countOf = new Map<string, number>();
    for (const f of pr.files) countOf.set(f.bidder, (countOf.get(f.bidder) ?? 0) + 1);
    const entries: Entry[] = pr.files.map((f, index) => {
      const n = (perBidder.get(f.bidder) ?? 0) + 1;
      perBidder.set(f.bidder, n);
      const several = (countOf.get(f.bidder) ?? 0) > 1;
      return {
        fileId: fileIdOf(pr.project, index, f.sha256),
        sha256: f.sha256,
        bytes: f.bytes,
        bidderCode: f.bidder,
        // The file's stored title, in Chinese like the tender it stands for (the bidder's name is hidden).
        title: pr.blind ? `${translate('zh-CN', 'booth.files.blindTitle', { bidder: codeLabel(f.bidder) })}${several ? `（${n}）` : ''}` : f.title,
        // A page the file does not have is refused when the file is opened (the file is then broken).
        imageRedactions: pr.blind ? (f.imageRedactions ?? []) : null,
        state: 'pending',
        attempts: 0,
        lastError: null,
        nextAttemptAt: null,
        info: null,
        wake: null,
      };
    });
    return { code: pr.project, blind, entries, byId: new Map(entries.map((e) => [e.fileId, e])), cancelled: false };
  }

  const sameProject = (a: Project, b: Omit<Project, 'done'>) =>
    a.code === b.code &&
    JSON.stringify(a.blind) === JSON.stringify(b.blind) &&
    a.entries.length === b.entries.length &&
    a.entries.every(
      (e, i) =>
        e.fileId === b.entries[i]?.fileId &&
        e.title === b.entries[i]?.title &&
        e.bytes === b.entries[i]?.bytes &&
        // New OCR boxes (a re-published project) reopen the documents: the boxes are fixed per document.
        JSON.stringify(e.imageRedactions) === JSON.stringify(b.entries[i]?.imageRedactions),
    );

  function closeAll(): Promise<void> {
    const docs = [...open.values()];
    open.clear();
    return Promise.allSettled(
      docs.map((h) => {
        h.evicted = true;
        return h.users === 0 ? h.doc.then((d) => d.close()) : Promise.resolve();
      }),
    ).then(() => undefined);
  }

  function entryFor(fileId: string): { p: Project; entry: Entry } {
    const p = project;
    const entry = p?.byId.get(fileId);
    if (!p || !entry) throw new ApiError('NOT_FOUND', 'no such tender file in the current project');
    if (entry.state !== 'ready') {
      if (entry.state === 'pending' && entry.wake && entry.nextAttemptAt !== null && entry.nextAttemptAt - now() > NUDGE_MIN_INTERVAL_MS) {
        entry.wake();
      }
      throw new ApiError(
        'FILE_UNAVAILABLE',
        entry.state === 'broken' ? 'the tender file cannot be opened' : 'the tender file is not downloaded yet',
        { state: entry.state, attempts: entry.attempts, nextAttemptAt: entry.nextAttemptAt },
      );
    }
    return { p, entry };
  }

  /** Closes a document once nobody renders from it. */
  function release(handle: OpenDoc): void {
    handle.evicted = true;
    if (handle.users === 0) void handle.doc.then((d) => d.close()).catch(() => {});
  }

  async function withReport<T>(job: (doc: TenderDocument) => Promise<T>): Promise<T> {
    const handle = report;
    if (!handle) throw new ApiError('FILE_UNAVAILABLE', 'no evaluation report is shown on this booth now');
    return withOpen(handle, 'the evaluation report cannot be opened', job);
  }

  /** Runs `job` on the file's open document (reopening it from the disk if it was closed). */
  async function withDoc<T>(fileId: string, job: (doc: TenderDocument) => Promise<T>): Promise<T> {
    if (fileId === REPORT_FILE_ID) return withReport(job);
    const { p, entry } = entryFor(fileId);
    let handle = open.get(fileId);
    if (!handle) {
      handle = { doc: openDoc(p, entry), users: 0, evicted: false };
      const h = handle;
      h.doc.catch((error: unknown) => {
        if (open.get(fileId) === h) open.delete(fileId);
        // The disk copy went missing or bad: fetch it again.
        if (project === p && !p.cancelled && entry.state === 'ready') {
          entry.state = 'pending';
          entry.info = null;
          log('files: reopening a cached file failed; downloading it again', { fileId, error: String(error) });
          changed();
          void acquire(p, entry);
        }
      });
    }
    remember(fileId, handle);
    return withOpen(handle, 'the tender file is not available on this booth; it is being downloaded again', job);
  }

  /**
   * Runs `job` on an open document, counted as a user so it is not closed underneath; a document
   * evicted meanwhile closes when its last user is done. A document that cannot open is FILE_UNAVAILABLE
   * (`unavailable` says why).
   */
  async function withOpen<T>(handle: OpenDoc, unavailable: string, job: (doc: TenderDocument) => Promise<T>): Promise<T> {
    handle.users++;
    try {
      let doc: TenderDocument;
      try {
        doc = await handle.doc;
      } catch {
        throw new ApiError('FILE_UNAVAILABLE', unavailable);
      }
      return await job(doc);
    } catch (error) {
      throw toApiError(error);
    } finally {
      handle.users--;
      if (handle.evicted && handle.users === 0) void handle.doc.then((d) => d.close()).catch(() => {});
    }
  }

  const parse = <S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> => {
    const r = schema.safeParse(input);
    if (!r.success) throw badInput(r.error, where);
    return r.data;
  };

  return {
    setProject(payload) {
      if (closed) throw new ApiError('INTERNAL', 'the tender file service is closed');
      const next = payload === null ? null : parseProject(payload);
      if (project && next && sameProject(project, next)) return;
      const old = project;
      if (old) {
        old.cancelled = true;
        for (const e of old.entries) e.wake?.();
      }
      void closeAll();
      if (!next) {
        project = null;
        cache.prune(new Set());
        changed();
        return;
      }
      const p = next as Project;
      project = p;
      cache.prune(new Set(p.entries.map((e) => e.sha256)));
      p.done = Promise.all(p.entries.map((e) => acquire(p, e))).then(() => undefined);
      changed();
    },

    listFiles() {
      const p = project;
      if (!p) return [];
      // Every file of the project, so the expert sees what is still downloading.
      return p.entries.map((e) =>
        e.state === 'ready' && e.info
          ? { fileId: e.fileId, title: e.title, bidderCode: e.bidderCode, state: 'ready' as const, pageCount: e.info.pageCount, pageWidth: e.info.pageWidth, pageHeight: e.info.pageHeight }
          : { fileId: e.fileId, title: e.title, bidderCode: e.bidderCode, state: e.state === 'broken' ? ('broken' as const) : ('downloading' as const), pageCount: 0, pageWidth: 0, pageHeight: 0 },
      );
    },

    async getPage(input) {
      const { fileId, page, scale } = parse(pageInputSchema, input, 'getPage');
      const who = options.watermark();
      const text = watermarkText({ codename: who.codename, booth: who.booth, at: now(), ...(options.utcOffsetMinutes !== undefined ? { utcOffsetMinutes: options.utcOffsetMinutes } : {}) });
      const { img, blind } = await withDoc(fileId, async (doc) => ({
        img: await doc.renderPage(page, scale, { format, ...(format === 'jpeg' ? { quality: options.jpegQuality ?? 85 } : {}), watermark: { text } }),
        blind: doc.info.blind,
      }));
      const imageShare = Math.min(1, Math.max(0, img.imageShare));
      return {
        page: img.page,
        width: img.width,
        height: img.height,
        mime: img.mime,
        data: Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength).toString('base64'),
        imageShare,
        // Open projects show names anyway: nothing to verify. The central's OCR boxes do not clear the
        // flag: OCR can miss a name (a seal, a rotated or faint line), so the expert is still warned.
        unverifiedImages: blind && imageShare >= BLIND_IMAGE_WARN_SHARE,
      };
    },

    async getTextLayer(input) {
      const { fileId, page } = parse(pageInputSchema.omit({ scale: true }), input, 'getTextLayer');
      return withDoc(fileId, (doc) => doc.textLayer(page));
    },

    async getOutline(input) {
      const { fileId } = parse(fileIdInputSchema, input, 'getOutline');
      return withDoc(fileId, (doc) => doc.outline());
    },

    async searchFile(input) {
      const { fileId, query } = parse(searchInputSchema, input, 'searchFile');
      return withDoc(fileId, (doc) => doc.search(query, { maxHits: 500 }));
    },

    prefetch() {
      return project?.done ?? Promise.resolve();
    },

    status() {
      const p = project;
      const files: BoothFileStatus[] = (p?.entries ?? []).map((e) => ({
        fileId: e.fileId,
        bidderCode: e.bidderCode,
        state: e.state,
        attempts: e.attempts,
        lastError: e.lastError,
        nextAttemptAt: e.nextAttemptAt,
      }));
      return { project: p?.code ?? null, total: files.length, ready: files.filter((f) => f.state === 'ready').length, files };
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async showReport(next) {
      if (closed) throw new ApiError('INTERNAL', 'the tender file service is closed');
      const generation = ++reportGeneration;
      if (next === null) {
        if (report) release(report);
        report = null;
        return null;
      }
      if (report?.sha256 === next.sha256) {
        const doc = await report.doc.catch(() => null);
        if (doc) return { pages: doc.info.pageCount };
      }
      const doc = openTenderDocument({ data: next.bytes }, { fileId: REPORT_FILE_ID, imageCacheBytes: options.imageCacheBytes ?? DEFAULTS.imageCacheBytes });
      let opened: TenderDocument;
      try {
        opened = await doc;
      } catch (error) {
        log('files: a verified report PDF cannot be opened', { sha256: next.sha256, error: String(error) });
        throw new ApiError('FILE_UNAVAILABLE', `the evaluation report cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (closed) {
        await opened.close();
        throw new ApiError('INTERNAL', 'the tender file service is closed');
      }
      // A later call (another PDF, or none) wins even if it finished first: this one is closed unused.
      if (generation !== reportGeneration) {
        await opened.close();
        return { pages: opened.info.pageCount };
      }
      const old = report;
      report = { doc: Promise.resolve(opened), users: 0, evicted: false, sha256: next.sha256 };
      if (old) release(old);
      return { pages: opened.info.pageCount };
    },

    reportShown() {
      return report?.sha256 ?? null;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (project) {
        project.cancelled = true;
        for (const e of project.entries) e.wake?.();
      }
      await closeAll();
      if (report) release(report);
      report = null;
      listeners.clear();
    },
  };
}

function toApiError(error: unknown): unknown {
  if (!(error instanceof TenderFileError)) return error;
  switch (error.code) {
    case 'TENDER_PAGE_RANGE':
    case 'TENDER_BAD_OPTIONS':
      return new ApiError('BAD_INPUT', error.message);
    case 'TENDER_CLOSED':
      return new ApiError('FILE_UNAVAILABLE', 'the tender file was closed (project changed); ask again');
    default:
      return new ApiError('FILE_UNAVAILABLE', error.message);
  }
}
