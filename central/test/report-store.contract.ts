import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshStoreEach, type OpenedContractStore } from './contract-store.ts';
import type { CentralStore } from '../src/storage/central-store.ts';
import { isReportStore, type NewReportFile, type ReportStore } from '../src/storage/report-store.ts';

export type ReportContractStore = CentralStore & ReportStore;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function file(bytes: Uint8Array, overrides: Partial<NewReportFile> = {}): NewReportFile {
  return { date: '2026-06-01', project: 'P1', sha256: sha256(bytes), kind: 'draft', bytes, ...overrides };
}

/**
 * The ReportStore behaviour every backend must have (SQLite: sync-store.sqlite.test.ts; PostgreSQL:
 * store.postgres.test.ts). `open` gives a fresh, migrated store; `openAgain` a second store on the
 * same data (the serve process and the CLI).
 */
export function describeReportStoreContract(
  name: string,
  open: () => Promise<OpenedContractStore<ReportContractStore>>,
): void {
  describe(`ReportStore contract: ${name}`, () => {
    let store: ReportContractStore;
    const { openAgain } = freshStoreEach(open, (opened) => (store = opened));

    it('puts, gets and lists a project\'s files (oldest first, no bytes in the listing), seen from another connection', async () => {
      expect(isReportStore(store)).toBe(true);
      const draft = new TextEncoder().encode('%PDF-1.7 草稿 draft');
      const final = new TextEncoder().encode('%PDF-1.7 final');
      const other = new TextEncoder().encode('%PDF-1.7 another project');
      await store.putReportFile(file(draft));
      await store.putReportFile(file(final, { kind: 'final' }));
      await store.putReportFile(file(other, { project: 'P2' }));

      const got = await store.getReportFile(sha256(draft));
      expect(got).toMatchObject({ date: '2026-06-01', project: 'P1', sha256: sha256(draft), kind: 'draft', size: draft.length });
      expect(got!.bytes).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(got!.bytes).equals(Buffer.from(draft))).toBe(true);
      expect(typeof got!.createdAt).toBe('number');

      const listed = await (await openAgain()).listReportFiles('2026-06-01', 'P1');
      expect(listed.map((f) => [f.kind, f.sha256, f.size])).toEqual(
        expect.arrayContaining([
          ['draft', sha256(draft), draft.length],
          ['final', sha256(final), final.length],
        ]),
      );
      expect(listed).toHaveLength(2);
      expect(listed.every((f) => !('bytes' in f))).toBe(true);
      expect(listed[0]!.createdAt).toBeLessThanOrEqual(listed[1]!.createdAt);
      expect(await store.listReportFiles('2026-06-02', 'P1')).toEqual([]);
      expect(await store.getReportFile('0'.repeat(64))).toBeNull();
    });

    it('keeps the first put of a hash: a second put (even under another kind or project) changes nothing', async () => {
      const bytes = randomBytes(1000);
      await store.putReportFile(file(bytes, { kind: 'signed' }));
      const first = await store.getReportFile(sha256(bytes));
      await store.putReportFile(file(bytes, { kind: 'signed' }));
      await (await openAgain()).putReportFile(file(bytes, { kind: 'annex', project: 'P9' }));
      expect(await store.getReportFile(sha256(bytes))).toEqual(first);
      expect(await store.listReportFiles('2026-06-01', 'P9')).toEqual([]);
      expect(await store.listReportFiles('2026-06-01', 'P1')).toHaveLength(1);
    });

    it('lets two connections put the same file at the same moment: both succeed, one row', async () => {
      const bytes = randomBytes(4096);
      const again = await openAgain();
      await Promise.all([store.putReportFile(file(bytes, { kind: 'final' })), again.putReportFile(file(bytes, { kind: 'final' }))]);
      expect(await store.listReportFiles('2026-06-01', 'P1')).toHaveLength(1);
    });

    it('refuses bytes that do not hash to the name, and names that are not a SHA-256', async () => {
      const bytes = new TextEncoder().encode('%PDF the real one');
      const changed = new TextEncoder().encode('%PDF the real onf');
      await expect(store.putReportFile({ ...file(bytes), bytes: changed })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/hash to/) });
      for (const bad of ['', 'abc', sha256(bytes).toUpperCase(), `${sha256(bytes)}0`, `../${sha256(bytes).slice(3)}`]) {
        await expect(store.putReportFile({ ...file(bytes), sha256: bad }), bad).rejects.toMatchObject({ code: 'BAD_INPUT' });
        expect(await store.getReportFile(bad)).toBeNull();
      }
      await expect(store.putReportFile(file(bytes, { kind: 'nonsense' as never }))).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(store.putReportFile(file(bytes, { date: '1 June' }))).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(store.putReportFile(file(bytes, { project: '' }))).rejects.toMatchObject({ code: 'BAD_INPUT' });
      expect(await store.listReportFiles('2026-06-01', 'P1')).toEqual([]);
      expect(await store.getReportFile(sha256(bytes))).toBeNull();
    });

    it('round-trips a 5 MB file byte for byte', async () => {
      const bytes = randomBytes(5 * 1024 * 1024);
      // A view into a larger buffer: the store must take exactly the view's bytes.
      const padded = Buffer.concat([Buffer.from('xxxx'), bytes, Buffer.from('yyyy')]);
      const view = new Uint8Array(padded.buffer, padded.byteOffset + 4, bytes.length);
      await store.putReportFile(file(view, { kind: 'signed' }));
      const got = await (await openAgain()).getReportFile(sha256(bytes));
      expect(got!.size).toBe(bytes.length);
      expect(sha256(got!.bytes)).toBe(sha256(bytes));
    });
  });
}
