import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { BLIND_IMAGE_WARN_SHARE, pageImageSchema } from '@kawei/shared/contract/booth-session.ts';
import { createBoothFiles, type BoothFiles } from '../src/services/files/booth-files.node.ts';
import { IMAGE_PAGE, IMAGE_SHARE, makeImagePdf } from '../../shared/test/tender/image-pdf.node.ts';

/**
 * Pages with images: blind review cannot check them for bidder names, so getPage flags a blind page
 * whose images cover BLIND_IMAGE_WARN_SHARE or more (the viewer warns); open projects never.
 */

const A = { code: 'A', name: '华东示例建设有限公司', aliases: [] };
const B = { code: 'B', name: '南岭虚构科技股份有限公司', aliases: [] };
let root = '';
let bytes: Uint8Array;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const services: BoothFiles[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kawei-booth-images-'));
  bytes = await makeImagePdf();
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  if (root) rmSync(root, { recursive: true, force: true });
});

function payload(blind: boolean): ProjectBoothPayload {
  return {
    date: '2026-05-01',
    project: 'SL-2026-0815',
    title: '示例市第一中学教学楼改扩建工程',
    blind,
    startsAt: null,
    endsAt: null,
    criteria: [{ id: 'tech', name: '技术', max: 60 }],
    bidders: [A, B],
    files: [{ sha256: sha(bytes), bytes: bytes.byteLength, bidder: 'A', title: '技术标' }],
  };
}

async function ready(blind: boolean): Promise<{ files: BoothFiles; fileId: string }> {
  const files = createBoothFiles({
    dataDir: join(root, blind ? 'blind' : 'open'),
    fetchFile: async () => new Uint8Array(bytes),
    watermark: () => ({ codename: 'HK-37', booth: '第3评标室 02号' }),
    now: () => Date.UTC(2026, 4, 1, 1, 30, 0),
    retry: { initialMs: 20, maxMs: 80 },
  });
  services.push(files);
  files.setProject(payload(blind));
  await files.prefetch();
  const [first] = files.listFiles();
  expect(first?.state).toBe('ready');
  return { files, fileId: first!.fileId };
}

describe('pages with images', () => {
  it('blind: the image page is flagged unverified, the text pages are not', async () => {
    const { files, fileId } = await ready(true);
    const page = pageImageSchema.parse(await files.getPage({ fileId, page: IMAGE_PAGE, scale: 0.5 }));
    expect(Math.abs(page.imageShare - IMAGE_SHARE)).toBeLessThanOrEqual(0.05);
    expect(page.imageShare).toBeGreaterThanOrEqual(BLIND_IMAGE_WARN_SHARE);
    expect(page.unverifiedImages).toBe(true);
    const text = pageImageSchema.parse(await files.getPage({ fileId, page: 1, scale: 0.5 }));
    expect([text.imageShare, text.unverifiedImages]).toEqual([0, false]);
  });

  it('open: never flagged (names are shown anyway), the share still reported', async () => {
    const { files, fileId } = await ready(false);
    const page = pageImageSchema.parse(await files.getPage({ fileId, page: IMAGE_PAGE, scale: 0.5 }));
    expect(Math.abs(page.imageShare - IMAGE_SHARE)).toBeLessThanOrEqual(0.05);
    expect(page.unverifiedImages).toBe(false);
  });
});
