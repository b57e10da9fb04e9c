import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PDFDocument, PDFRawStream } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { BilingualError } from '../../src/i18n/bilingual.ts';
import {
  addSignaturePlaceholder,
  checkSignatureIncrement,
  embedSignature,
  readPdfSignatures,
  signPdf,
  verifyPdfSignatures,
  type PlaceholderOptions,
} from '../../src/report/pdf-signature.node.ts';
import { createDetachedCms } from '../../src/signing/cms.ts';
import type { Signer } from '../../src/signing/signer.ts';
import { softwareSigner } from '../../src/signing/software-signer.node.ts';
import { trustListFromCertificates, type TrustList } from '../../src/signing/trust-list.ts';
import { opensslCmsVerify, writeBundle } from '../signing/signing-test-support.node.ts';
import {
  contentStreamBody,
  forgeIncrement,
  issueLeaf,
  makeCa,
  pdfsig,
  pdfsigBlocks,
  PDFArray,
  PDFDict,
  PDFName,
  PDFRef,
  samplePdf,
  serializeBody,
} from './pades-test-support.node.ts';

const TIME = new Date('2025-03-04T05:06:07Z');
const options = (n: number, signerName = `评委${n} 青松`): PlaceholderOptions => ({
  fieldName: `kawei-judge-${n}`,
  signerName,
  signingTime: new Date(TIME.getTime() + n * 60_000),
});

/** The error a call throws (null when it does not). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return null;
  } catch (error) {
    return error;
  }
}

function expectBilingual(error: unknown, key?: string): BilingualError {
  expect(error).toBeInstanceOf(BilingualError);
  const e = error as BilingualError;
  expect(e.zh).toMatch(/[\u4e00-\u9fff]/);
  expect(e.en.length).toBeGreaterThan(0);
  if (key !== undefined) expect(e.key).toBe(key);
  return e;
}

function flipByte(pdf: Uint8Array, at: number, to: string): Uint8Array {
  const out = pdf.slice();
  expect(String.fromCharCode(out[at]!)).not.toBe(to);
  out[at] = to.charCodeAt(0);
  return out;
}

const latin1 = (pdf: Uint8Array): string => Buffer.from(pdf).toString('latin1');

describe('PAdES: three signatures in turn, checked by pdfsig and openssl', () => {
  beforeAll(() => requireTool('openssl', 'poppler'));
  let dir: string;
  let trust: TrustList;
  let caBundle: string;
  let signers: Signer[];
  const heads: Uint8Array[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-pades-'));
    const caEc = await makeCa('Kawei PAdES Test CA EC', 'ec');
    const caRsa = await makeCa('Kawei PAdES Test CA RSA', 'rsa');
    trust = trustListFromCertificates([caEc.der, caRsa.der]);
    caBundle = writeBundle(dir, 'cas.pem', [caEc.pem, caRsa.pem]);
    const leaves = [await issueLeaf(caEc, 'ec', 'EXPERT-A1'), await issueLeaf(caRsa, 'rsa', 'EXPERT-B2'), await issueLeaf(caRsa, 'ec', 'EXPERT-C3')];
    signers = leaves.map((l) => softwareSigner({ privateKey: l.privateKey, certificate: l.der }));
    heads.push(await samplePdf());
    for (let n = 1; n <= 3; n++) {
      const signed = await signPdf(heads[n - 1]!, signers[n - 1]!, { ...options(n), cms: { trustList: trust } });
      heads.push(signed.pdf);
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('after every step pdfsig finds every signature valid, only the last covering the whole file', async () => {
    for (let n = 1; n <= 3; n++) {
      const out = await pdfsig(dir, heads[n]!, `head-${n}.pdf`);
      const blocks = pdfsigBlocks(out.output);
      expect(blocks, out.output).toHaveLength(n);
      blocks.forEach((block, i) => {
        expect(block).toContain(`Signature Field Name: kawei-judge-${i + 1}`);
        expect(block).toContain('Signature Type: ETSI.CAdES.detached');
        expect(block).toContain('Signature Validation: Signature is Valid.');
        expect(block).toContain(i === n - 1 ? 'Total document signed' : 'Not total document signed');
        if (i !== n - 1) expect(block).not.toMatch(/^\s*- Total document signed/m);
      });
    }
  });

  it('each byte range, cut out, verifies with openssl cms against the CAs', async () => {
    const pdf = heads[3]!;
    const infos = readPdfSignatures(pdf);
    expect(infos).toHaveLength(3);
    for (const info of infos) {
      const [, a, b, c] = info.byteRange;
      const content = Buffer.concat([pdf.subarray(0, a), pdf.subarray(b, b + c)]);
      const verdict = await opensslCmsVerify(dir, content, info.cms, caBundle);
      expect(verdict.ok, verdict.output).toBe(true);
      expect(verdict.output).toContain('Verification successful');
    }
  });

  it('reads field, signer, reason, time and sub-filter back, in file order', () => {
    const infos = readPdfSignatures(heads[3]!);
    expect(infos.map((i) => i.fieldName)).toEqual(['kawei-judge-1', 'kawei-judge-2', 'kawei-judge-3']);
    expect(infos.map((i) => i.signerName)).toEqual(['评委1 青松', '评委2 青松', '评委3 青松']);
    expect(infos.every((i) => i.reason === '评标报告签名' && i.subFilter === 'ETSI.CAdES.detached')).toBe(true);
    expect(infos.map((i) => i.signingTime?.toISOString())).toEqual([1, 2, 3].map((n) => options(n).signingTime.toISOString()));
    expect(infos.map((i) => i.coversWholeDocument)).toEqual([false, false, true]);
    // Each signature covers exactly the head it was made on plus its own increment.
    expect(infos.map((i) => i.revisionEnd)).toEqual([heads[1]!.length, heads[2]!.length, heads[3]!.length]);
  });

  it('verifyPdfSignatures accepts all three with the trust list, and names the revisions', async () => {
    const checks = await verifyPdfSignatures(heads[3]!, trust);
    expect(checks.map((c) => c.result.ok)).toEqual([true, true, true]);
    expect(checks.map((c) => (c.result.ok ? c.result.algorithm : null))).toEqual(['ECDSA-SHA256', 'RSA-SHA256', 'ECDSA-SHA256']);
    const { createHash } = await import('node:crypto');
    expect(checks.map((c) => c.revisionSha256)).toEqual(heads.slice(1).map((h) => createHash('sha256').update(h).digest('hex')));
  });

  it('refuses every signature against a trust list without their CAs', async () => {
    const other = await makeCa('Unrelated CA', 'ec');
    const checks = await verifyPdfSignatures(heads[3]!, trustListFromCertificates([other.der]));
    expect(checks.map((c) => (c.result.ok ? 'ok' : c.result.code))).toEqual(['CERT_UNTRUSTED', 'CERT_UNTRUSTED', 'CERT_UNTRUSTED']);
  });

  it('each step is accepted by checkSignatureIncrement', () => {
    for (let n = 1; n <= 3; n++) {
      const verdict = checkSignatureIncrement(heads[n - 1]!, heads[n]!);
      expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
      if (verdict.ok) expect(verdict.info.fieldName).toBe(`kawei-judge-${n}`);
    }
  });

  describe('one byte changed anywhere breaks the signatures that cover it (pdfsig and verifyPdfSignatures)', () => {
    const cases: { where: string; at: (pdf: Uint8Array) => number; to: (c: string) => string; broken: boolean[] }[] = [
      {
        where: 'in the first revision (a page content stream)',
        at: (pdf) => latin1(pdf).indexOf('stream\n') + 'stream\n'.length + 5,
        to: (c) => (c === 'A' ? 'B' : 'A'),
        broken: [true, true, true],
      },
      {
        where: 'in the second signature dictionary (/M)',
        at: (pdf) => nthIndexOf(latin1(pdf), "/M (D:2025", 2) + "/M (D:2025".length + 5,
        to: (c) => (c === '1' ? '2' : '1'),
        broken: [false, true, true],
      },
      {
        where: 'in the last revision, after the signature value (the field name)',
        at: (pdf) => latin1(pdf).lastIndexOf('(kawei-judge-3)') + '(kawei-judge-'.length,
        to: () => '9',
        broken: [false, false, true],
      },
    ];
    for (const c of cases) {
      it(c.where, async () => {
        const pdf = heads[3]!;
        const at = c.at(pdf);
        expect(at).toBeGreaterThan(100);
        const tampered = flipByte(pdf, at, c.to(String.fromCharCode(pdf[at]!)));
        const out = await pdfsig(dir, tampered, `tampered-${c.broken.join('')}.pdf`);
        const blocks = pdfsigBlocks(out.output);
        expect(blocks, out.output).toHaveLength(3);
        expect(blocks.map((b) => !b.includes('Signature is Valid.'))).toEqual(c.broken);
        const checks = await verifyPdfSignatures(tampered, trust);
        expect(checks.map((k) => !k.result.ok)).toEqual(c.broken);
        for (const k of checks) if (!k.result.ok) expect(k.result.code).toBe('CMS_DIGEST_MISMATCH');
      });
    }
  });

  describe('checkSignatureIncrement refuses what a signature must not do', () => {
    const refusal = (after: Uint8Array, before = heads[1]!): string => {
      const verdict = checkSignatureIncrement(before, after);
      expect(verdict.ok).toBe(false);
      if (verdict.ok) return '';
      expect(verdict.problem.zh).toMatch(/[\u4e00-\u9fff]/);
      return verdict.problem.en;
    };

    it('a page overlay (an extra content stream on page 1) in the signing revision', () => {
      const forged = forgeIncrement(heads[1]!, options(2), ({ structure, nextNumber, objects }) => {
        const overlay = PDFRef.of(nextNumber);
        objects.set(overlay.objectNumber, { ref: overlay, body: contentStreamBody('1 1 1 rg 40 720 400 80 re f') });
        const [pageNumber, page] = [...objects].find(([, o]) => latin1(o.body).includes('/Type /Page'))!;
        const dict = structure.lookup(PDFRef.of(pageNumber)) as PDFDict;
        const copy = dict.clone(structure.context);
        const contents = dict.get(PDFName.of('Contents'))!;
        copy.set(PDFName.of('Contents'), structure.context.obj([...(contents instanceof PDFArray ? contents.asArray() : [contents]), overlay]));
        copy.set(PDFName.of('Annots'), (() => {
          const annots = latin1(page.body).match(/\/Annots \[([^\]]*)\]/)![1]!;
          return structure.context.obj(annots.trim().split(/\s+R\s*/).filter(Boolean).map((r) => PDFRef.of(Number(r.split(' ')[0]))));
        })());
        objects.set(pageNumber, { ref: PDFRef.of(pageNumber), body: serializeBody(copy) });
      });
      expect(readPdfSignatures(forged).map((s) => s.coversWholeDocument)).toEqual([false, true]);
      expect(refusal(forged)).toContain('Page 1');
    });

    it('a content stream rewritten in place (same object, new bytes)', () => {
      const forged = forgeIncrement(heads[1]!, options(2), ({ structure, objects }) => {
        const catalog = structure.lookup(structure.root) as PDFDict;
        const pages = structure.lookup(catalog.get(PDFName.of('Pages')) as PDFRef) as PDFDict;
        const first = (pages.get(PDFName.of('Kids')) as PDFArray).get(0) as PDFRef;
        const value = (structure.lookup(first) as PDFDict).get(PDFName.of('Contents'));
        const contents = (value instanceof PDFArray ? value.get(0) : value) as PDFRef;
        expect(contents).toBeInstanceOf(PDFRef);
        objects.set(contents.objectNumber, { ref: contents, body: contentStreamBody('BT /F1 12 Tf 50 700 Td (Bidder B: 99.0) Tj ET') });
      });
      expect(refusal(forged)).toMatch(/Page 1|changes object/);
    });

    it('a second (unsigned) field next to the signature', () => {
      const forged = forgeIncrement(heads[1]!, options(2), ({ nextNumber, objects }) => {
        const extra = PDFRef.of(nextNumber);
        objects.set(extra.objectNumber, { ref: extra, body: Buffer.from('<<\n/FT /Sig\n/T (kawei-extra)\n/Rect [0 0 0 0]\n>>', 'latin1') });
        for (const [number, o] of objects) {
          const text = latin1(o.body);
          if (text.includes('/Fields [') || /^\[/.test(text)) {
            const grown = text.replace(/(\/Fields \[[^\]]*|^\[[^\]]*)\]/, `$1 ${extra.toString()}]`);
            objects.set(number, { ref: o.ref, body: Buffer.from(grown, 'latin1') });
          }
        }
      });
      expect(refusal(forged)).toMatch(/adds object|changes object/);
    });

    it('a visible widget whose appearance reuses an existing stream over the whole page', () => {
      const forged = forgeIncrement(heads[1]!, options(2), ({ structure, objects }) => {
        const stream = [...structure.objects.keys()].find((n) => structure.lookup(PDFRef.of(n)) instanceof PDFRawStream)!;
        for (const [number, o] of objects) {
          const text = latin1(o.body);
          if (text.includes('/Subtype /Widget')) {
            const visible = text.replace('/Rect [0 0 0 0]', `/Rect [0 0 595 842]\n/AP << /N ${stream} 0 R >>`);
            objects.set(number, { ref: o.ref, body: Buffer.from(visible, 'latin1') });
          }
        }
      });
      expect(refusal(forged)).toContain('visible appearance');
    });

    it('changed bytes of the previous file', () => {
      const before = heads[1]!;
      const after = flipByte(heads[2]!, 200, heads[2]![200] === 0x41 ? 'B' : 'A');
      expect(refusal(after, before)).toContain('not the previous file with bytes appended');
    });

    it('two revisions at once', () => {
      expect(refusal(heads[3]!, heads[1]!)).toContain('exactly one revision');
    });

    it('an earlier signature whose field name is reused', () => {
      const forged = forgeIncrement(heads[1]!, options(2), ({ objects }) => {
        for (const [number, o] of objects) {
          const text = latin1(o.body);
          if (text.includes('(kawei-judge-2)')) objects.set(number, { ref: o.ref, body: Buffer.from(text.replace('(kawei-judge-2)', '(kawei-judge-1)'), 'latin1') });
        }
      });
      expect(refusal(forged)).toMatch(/kawei-judge-1/);
    });

    it('unreadable input is a problem, not a crash', () => {
      expect(refusal(new Uint8Array([1, 2, 3]), new Uint8Array(0))).toMatch(/cannot be read/);
      expect(refusal(Buffer.concat([heads[1]!, Buffer.from('garbage')]))).toContain('exactly one revision; it is 0');
      expect(refusal(Buffer.concat([heads[1]!, Buffer.from('\nxref\n0 zz\ntrailer\n<<>>\nstartxref\n' + String(heads[1]!.length + 1) + '\n%%EOF\n')]))).toMatch(/cannot be read/);
    });
  });
});

function nthIndexOf(text: string, needle: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) at = text.indexOf(needle, at + 1);
  return at;
}

describe('PAdES: placeholders, embedding, bad input', () => {
  let base: Uint8Array;
  let signer: Signer;
  let trust: TrustList;
  beforeAll(async () => {
    base = await samplePdf();
    const ca = await makeCa('Kawei PAdES Unit CA', 'ec');
    const leaf = await issueLeaf(ca, 'ec', 'EXPERT-D4');
    trust = trustListFromCertificates([ca.der]);
    signer = softwareSigner({ privateKey: leaf.privateKey, certificate: leaf.der });
  });

  it('is deterministic: the same PDF and options give the same bytes (booth and central agree)', async () => {
    const a = addSignaturePlaceholder(base, options(1));
    const b = addSignaturePlaceholder(base.slice(), { ...options(1), signingTime: new Date(options(1).signingTime.getTime() + 999) });
    expect(Buffer.from(a.pdf).equals(Buffer.from(b.pdf))).toBe(true);
    expect(a.byteRange).toEqual(b.byteRange);
    expect(Buffer.from(a.signedContent).equals(Buffer.from(b.signedContent))).toBe(true);
    // On a signed head too, and the booth's CMS embedded into the central's rebuild is the booth's file.
    const signed = await signPdf(base, signer, { ...options(1), cms: { trustList: trust } });
    const booth = addSignaturePlaceholder(signed.pdf, options(2));
    const cms = await createDetachedCms(booth.signedContent, signer, { trustList: trust, signingTime: options(2).signingTime });
    const central = embedSignature(addSignaturePlaceholder(signed.pdf, options(2)), cms.der);
    expect(Buffer.from(central).equals(Buffer.from(embedSignature(booth, cms.der)))).toBe(true);
    // Anything that differs shows.
    const later = addSignaturePlaceholder(base, { ...options(1), signingTime: new Date(options(1).signingTime.getTime() + 1000) });
    expect(Buffer.from(later.pdf).equals(Buffer.from(a.pdf))).toBe(false);
  });

  it('leaves the input bytes untouched and appends after them', () => {
    const copy = base.slice();
    const prepared = addSignaturePlaceholder(base, options(1));
    expect(Buffer.from(base).equals(Buffer.from(copy))).toBe(true);
    expect(Buffer.from(prepared.pdf.subarray(0, base.length)).equals(Buffer.from(base))).toBe(true);
    expect(prepared.byteRange[1]).toBeGreaterThan(base.length);
    expect(prepared.byteRange[2] + prepared.byteRange[3]).toBe(prepared.pdf.length);
    expect(prepared.signedContent.length).toBe(prepared.pdf.length - (prepared.byteRange[2] - prepared.byteRange[1]));
    const text = latin1(prepared.pdf.subarray(base.length));
    expect(text).toContain('/SubFilter /ETSI.CAdES.detached');
    expect(text).toContain('/T (kawei-judge-1)');
    expect(text).toContain("/M (D:20250304050707+00'00')");
    expect(text).not.toContain('/ContactInfo');
    expect(prepared.byteRange[2] - prepared.byteRange[1]).toBe(2 * 32768 + 2);
  });

  it('refuses a field name already in the form, and bad options', async () => {
    const signed = await signPdf(base, signer, { ...options(1), cms: { trustList: trust } });
    expect(expectBilingual(thrown(() => addSignaturePlaceholder(signed.pdf, options(1))), 'pades.fieldExists').en).toContain('kawei-judge-1');
    for (const bad of [
      { ...options(1), fieldName: '' },
      { ...options(1), fieldName: 'a.b' },
      { ...options(1), signingTime: new Date(Number.NaN) },
      { ...options(1), signerName: 'x\u0000y' },
      { ...options(1), placeholderBytes: 10 },
      null,
    ]) {
      expectBilingual(thrown(() => addSignaturePlaceholder(base, bad as unknown as PlaceholderOptions)), 'pades.badOptions');
    }
  });

  it('embedSignature refuses a CMS larger than the room reserved, and accepts one that just fits', () => {
    const prepared = addSignaturePlaceholder(base, { ...options(1), placeholderBytes: 1024 });
    const tooBig = new Uint8Array(1025).fill(0x30);
    const e = expectBilingual(thrown(() => embedSignature(prepared, tooBig)), 'pades.cmsTooLarge');
    expect(e.en).toContain('1025');
    expect(embedSignature(prepared, new Uint8Array(1024).fill(0x41)).length).toBe(prepared.pdf.length);
    expectBilingual(thrown(() => embedSignature({ ...prepared, byteRange: [0, 10, 20, 5] }, new Uint8Array(4))), 'pades.notPrepared');
  });

  it('a PDF without signatures has none; an unsigned placeholder verifies as unsigned', async () => {
    expect(readPdfSignatures(base)).toEqual([]);
    expect(await verifyPdfSignatures(base, trust)).toEqual([]);
    const prepared = addSignaturePlaceholder(base, options(1));
    const [info] = readPdfSignatures(prepared.pdf);
    expect(info?.cms.length).toBe(0);
    const [check] = await verifyPdfSignatures(prepared.pdf, trust);
    expect(check?.result.ok).toBe(false);
    expect(check?.result.ok === false && check.result.en).toContain('holds no signature');
  });

  it('signPdf refuses an SM2 signer (callers make a detached CMS instead)', async () => {
    const sm2: Signer = { ...signer, algorithm: 'SM2-SM3', sign: () => Promise.reject(new Error('must not be asked')), close: async () => {} };
    const error = await signPdf(base, sm2, { ...options(1), cms: { trustList: trust } }).then(() => null, (e: unknown) => e);
    expectBilingual(error, 'pades.sm2NotPades');
  });

  it('garbage gives a clear bilingual error, never a crash', async () => {
    const xrefStream = await (await PDFDocument.load(base)).save(); // pdf-lib's default: an xref stream
    const inputs: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), 'pades.notPdf'],
      ['text', Buffer.from('hello, this is not a pdf at all, but long enough'), 'pades.notPdf'],
      ['half a pdf', base.subarray(0, base.length >> 1), 'pades.notPdf'],
      ['header and junk', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x41), Buffer.from('startxref\n99999\n%%EOF')]), 'pades.notPdf'],
      ['xref stream', xrefStream, 'pades.xrefStream'],
    ];
    for (const [, input, key] of inputs) {
      expectBilingual(thrown(() => readPdfSignatures(input)), key);
      expectBilingual(thrown(() => addSignaturePlaceholder(input, options(1))), key);
      expectBilingual(await verifyPdfSignatures(input, trust).then(() => null, (e: unknown) => e), key);
    }
    expectBilingual(thrown(() => readPdfSignatures('not bytes' as unknown as Uint8Array)));
  });

  it('random damage to a signed PDF never escapes as anything but a bilingual error', async () => {
    const signed = (await signPdf(base, signer, { ...options(1), cms: { trustList: trust } })).pdf;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: signed.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: signed.length }), async (at, value, cut) => {
        const damaged = signed.slice(0, cut);
        if (at < damaged.length) damaged[at] = value;
        for (const call of [() => readPdfSignatures(damaged), () => addSignaturePlaceholder(damaged, options(2))]) {
          const error = thrown(call);
          if (error !== null) expectBilingual(error);
        }
        const verifyError = await verifyPdfSignatures(damaged, trust).then(() => null, (e: unknown) => e);
        if (verifyError !== null) expectBilingual(verifyError);
        const verdict = checkSignatureIncrement(base, damaged);
        if (!verdict.ok) expect(verdict.problem.en.length).toBeGreaterThan(0);
      }),
      { numRuns: 60, seed: 14 },
    );
  });

  it('a signed PDF written to disk is still one pdfinfo can read (sanity of the update)', async () => {
    requireTool('poppler');
    const dir = mkdtempSync(join(tmpdir(), 'kawei-pades-info-'));
    try {
      const file = join(dir, 'signed.pdf');
      writeFileSync(file, (await signPdf(base, signer, { ...options(1), cms: { trustList: trust } })).pdf);
      const { tool } = await import('./pades-test-support.node.ts');
      const info = await tool('pdfinfo', [file]);
      expect(info.code, info.output).toBe(0);
      expect(info.output).toMatch(/Pages:\s+2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
