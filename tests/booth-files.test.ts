import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiError } from '@kawei/shared/errors.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { DeviceIdentityService } from '@kawei/shared/device/device-identity.node.ts';
import { CentralClient, credentialsFrom, type DeviceCredentials } from '@kawei/shared/device/central-client.node.ts';
import { centralHttpsJson } from '@kawei/shared/device/pinned-tls.node.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { boothRosterPayloadSchema, facesBoothPayloadSchema, projectBoothPayloadSchema } from '@kawei/shared/api/booth-roster.ts';
import { drawResultSchema, type DrawResult } from '@kawei/central/draw/day-schema.ts';
import { ENTRY, REPO_ROOT, runNode, startNode, type Listening, type Running } from '../scripts/lib/processes.node.ts';

/**
 * A project's material from the operator to the booth: the demo day drawn, the demo material made
 * (scripts/make-demo-project.node.ts, 10-page PDFs), rosters and faces published, then
 * `publish-project`; enrolled booths (real device identities in temp folders, a real central
 * process) get roster.booth, faces.booth and project.booth over the sync, and fetch the files over
 * device-authenticated HTTP — only the booths seated on the project, only the genuine bytes.
 */
const DRAW = join(REPO_ROOT, 'central/src/draw/main.node.ts');
const MAKE_DEMO_EXPERTS = join(REPO_ROOT, 'scripts/make-demo-experts.node.ts');
const MAKE_DEMO_PROJECT = join(REPO_ROOT, 'scripts/make-demo-project.node.ts');
const dir = mkdtempSync(join(tmpdir(), 'kawei-booth-files-'));
const centralData = join(dir, 'central');
let central: Running<Listening>;
let result: DrawResult;
let demo: { day: string; dir: string };
let material: z.infer<typeof demoProjectLine>;

const demoProjectLine = z.object({
  event: z.literal('demo-project'),
  dir: z.string(),
  date: z.string(),
  pages: z.number(),
  projects: z.array(
    z.object({
      project: z.string(),
      dir: z.string(),
      blind: z.boolean(),
      files: z.array(z.object({ file: z.string(), bidder: z.string(), pages: z.number(), bytes: z.number(), licencePage: z.number().nullable() })),
    }),
  ),
});

async function cli(entry: string, args: string[]): Promise<string> {
  const out = await runNode(entry, args);
  if (out.code !== 0) throw new Error(`${args.join(' ')} (${out.code}): ${out.stderr}`);
  return out.stdout;
}
const lastLine = (text: string): unknown => JSON.parse(text.trim().split('\n').at(-1) ?? '');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Booth {
  store: DeviceStore;
  service: DeviceIdentityService<'booth'>;
  credentials: DeviceCredentials;
  client: CentralClient;
}
const booths: Booth[] = [];

async function enrolBooth(boothId: string): Promise<Booth> {
  const store = DeviceStore.open(join(dir, boothId, 'device.sqlite'));
  const service = new DeviceIdentityService({ kind: 'booth', store, appVersion: 't', linkIntervalMs: 200 });
  const code = JSON.parse(await cli(ENTRY.central, ['enrol-code', '--booth', boothId, '--json', '--data', centralData])) as {
    code: string;
    centralFingerprint: string;
  };
  await service.enrol(central.ready.url.replace(/\/$/, ''), code.code, code.centralFingerprint);
  const identity = store.identity()!;
  const credentials = credentialsFrom({ deviceId: identity.deviceId, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralPublicKey: identity.centralPublicKey });
  const booth = { store, service, credentials, client: new CentralClient(identity.centralUrl, { tlsPin: identity.centralTlsSpkiSha256! }) };
  booths.push(booth);
  return booth;
}

const boothOf = (project: string) => {
  const seat = result.seats.find((s) => s.project === project)!;
  return `${seat.room}-${seat.label}`;
};

beforeAll(async () => {
  await cli(ENTRY.central, ['seed-demo', '--data', centralData]);
  demo = lastLine(await cli(MAKE_DEMO_EXPERTS, [join(dir, 'experts')])) as { day: string; dir: string };
  writeFileSync(join(dir, 'secret.txt'), `${'7a'.repeat(32)}\n`);
  await cli(DRAW, ['draw', '--input', demo.day, '--secret-file', join(dir, 'secret.txt'), '--public-value', '4 9 16', '--out', join(dir, 'result.json')]);
  result = drawResultSchema.parse(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')));
  material = demoProjectLine.parse(lastLine(await cli(MAKE_DEMO_PROJECT, [join(dir, 'material'), '--day', demo.day, '--pages', '10'])));
  central = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--port', '0'], { label: 'central', quiet: true });
}, 120_000);
afterAll(async () => {
  for (const b of booths) {
    await b.service.close();
    b.store.close();
  }
  await central.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('project material to the booths', () => {
  it('makes demo material for every project of the day: three bidders, blind as the draw decides', () => {
    expect(material.projects.map((p) => p.project)).toEqual(['GC-01', 'ZF-02', 'SL-03']);
    expect(result.blind).toEqual(['GC-01']); // the demo day flags its main project blind
    expect(material.projects.map((p) => p.blind)).toEqual([true, false, false]);
    for (const p of material.projects) {
      expect(p.files.map((f) => [f.bidder, f.pages])).toEqual([['A', 10], ['B', 10], ['C', 10]]);
      const json = JSON.parse(readFileSync(join(p.dir, 'project.json'), 'utf8')) as Record<string, unknown>;
      expect(json).toMatchObject({ startsAt: `${result.date}T09:00:00+08:00`, endsAt: `${result.date}T17:00:00+08:00`, criteria: [{ name: '技术', max: 50 }, { name: '商务', max: 20 }, { name: '价格', max: 30 }] });
    }
  });

  // Real processes: three CLI runs (publish-project OCRs the licence pages with tesseract) and two enrolments.
  it('sends roster, face and project to the seated booth, which fetches genuine files; others are refused', { timeout: 240_000 }, async () => {
    const gc = material.projects.find((p) => p.project === 'GC-01')!;
    const seated = await enrolBooth(boothOf('GC-01'));
    const other = await enrolBooth(boothOf('SL-03'));

    await cli(ENTRY.central, ['publish-rosters', '--result', join(dir, 'result.json'), '--experts', demo.dir, '--day', demo.day, '--data', centralData]);
    const published = JSON.parse(
      await cli(ENTRY.central, ['publish-project', '--result', join(dir, 'result.json'), '--project', 'GC-01', '--material', gc.dir, '--data', centralData, '--json']),
    ) as { sent: number; booths: number };
    expect(published).toMatchObject({ sent: 1, booths: result.seats.filter((s) => s.project === 'GC-01').length });
    // the text summary, in both languages
    const text = await cli(ENTRY.central, ['publish-project', '--result', join(dir, 'result.json'), '--project', 'GC-01', '--material', gc.dir, '--data', centralData]);
    expect(text).toMatch(/项目 GC-01「示例市第一中学教学楼改扩建工程」（.*，暗标）：投标人 3 家，文件 3 个，.*（新存入 0 个）/);
    expect(text).toMatch(/project GC-01 ".*" \(.*, blind\): 3 bidder\(s\), 3 file\(s\), .* \(0 newly stored\)/);

    const types = (b: Booth) => b.store.inbox().map((m) => m.type).sort();
    await expect.poll(() => types(seated), { timeout: 15_000 }).toEqual(['faces.booth', 'project.booth', 'project.booth', 'roster.booth']);
    await expect.poll(() => types(other), { timeout: 15_000 }).toEqual(['faces.booth', 'roster.booth']);
    const inbox = seated.store.inbox();
    const roster = boothRosterPayloadSchema.parse(inbox.find((m) => m.type === 'roster.booth')!.payload);
    const face = facesBoothPayloadSchema.parse(inbox.find((m) => m.type === 'faces.booth')!.payload);
    expect(face.expert).toBe(roster.expert);
    expect(roster).toMatchObject({ project: 'GC-01', blind: 1 });
    const project = projectBoothPayloadSchema.parse(inbox.find((m) => m.type === 'project.booth')!.payload);
    expect(project).toMatchObject({ project: 'GC-01', blind: true, date: result.date, startsAt: Date.parse(`${result.date}T09:00:00+08:00`) });
    expect(project.bidders.map((b) => b.code)).toEqual(['A', 'B', 'C']);
    expect(project.files.map((f) => f.bytes)).toEqual(gc.files.map((f) => f.bytes));
    // Each file's scanned business licence names its bidder inside an image: the central's OCR found
    // it on that page and sends the boxes (the booth paints them: shared/test/tender/image-redactions.test.ts).
    for (const [i, f] of project.files.entries()) {
      const licencePage = gc.files[i]!.licencePage;
      expect(licencePage).not.toBeNull();
      expect(f.imageRedactions?.map((r) => [r.page, r.code])).toEqual([[licencePage, f.bidder]]);
    }

    // the seated booth downloads every file; the bytes are the material's
    for (const [i, f] of project.files.entries()) {
      const bytes = await seated.client.fetchFile(seated.credentials, f.sha256, { expectedBytes: f.bytes });
      expect(sha(bytes)).toBe(f.sha256);
      expect(Buffer.from(bytes).equals(readFileSync(gc.files[i]!.file))).toBe(true);
      expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    }

    // a booth seated on another project: the central's signed refusal, the same as for a file that does not exist
    const first = project.files[0]!;
    const refused = await other.client.fetchFile(other.credentials, first.sha256).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'NOT_FOUND', message: `no file ${first.sha256} for this device` });
    const raw = await centralHttpsJson(`${central.ready.url.replace(/\/$/, '')}/api/device/files/${first.sha256}`, seated.store.identity()!.centralTlsSpkiSha256!);
    expect(raw.status).toBe(401); // no device signature at all

    // a hash no project lists: 404
    const unknown = await seated.client.fetchFile(seated.credentials, 'e3'.repeat(32)).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND' });

    // a size cap lower than the file: refused, nothing returned
    const capped = await seated.client.fetchFile(seated.credentials, first.sha256, { maxBytes: 1000 }).catch((e: unknown) => e);
    expect(capped).toMatchObject({ code: 'CENTRAL_BAD_RESPONSE', message: expect.stringMatching(/more than the 1000 expected/) });

    // a file altered in the central's store (same length): the booth refuses it
    const stored = join(centralData, 'files', first.sha256);
    const original = readFileSync(stored);
    const altered = Buffer.from(original);
    altered[altered.length - 10] = altered[altered.length - 10]! ^ 0x01;
    writeFileSync(stored, altered);
    const tampered = await seated.client.fetchFile(seated.credentials, first.sha256, { expectedBytes: first.bytes }).catch((e: unknown) => e);
    expect(tampered).toBeInstanceOf(ApiError);
    expect(tampered).toMatchObject({ code: 'CENTRAL_BAD_RESPONSE', message: expect.stringMatching(/does not match its SHA-256/) });
    writeFileSync(stored, original);
    expect(sha(await seated.client.fetchFile(seated.credentials, first.sha256))).toBe(first.sha256);
  });
});
