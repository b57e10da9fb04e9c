import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { createDetachedCms, verifyDetachedCms } from '../../src/signing/cms.ts';
import { Pkcs11Provider } from '../../src/signing/pkcs11-provider.node.ts';
import { loadTrustListFolder } from '../../src/signing/trust-list.node.ts';
import { tokenForThisFile } from './signing-test-support.node.ts';

/**
 * Pulling the key out and putting it back, in one running process. SoftHSM2 reads its token folder at
 * C_Initialize only (as several vendors' USB-key modules do with their readers): the key is pulled
 * with `softhsm2-util --delete-token` and put back by restoring the token's files, and without a
 * re-initialisation the module never sees it again (checked below with rescans turned off).
 */
describe('a USB key pulled out and put back (SoftHSM2 token folder restored)', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: Awaited<ReturnType<typeof tokenForThisFile>>;
  let saved = '';

  beforeAll(async () => {
    token = await tokenForThisFile({ cas: 1 });
    saved = mkdtempSync(join(tmpdir(), 'kawei-token-copy-'));
  });
  afterAll(() => {
    token?.cleanup();
    if (saved) rmSync(saved, { recursive: true, force: true });
  });

  const tokensDir = () => join(token.dir, 'tokens');
  const serials = async (provider: Pkcs11Provider) => (await provider.listTokens()).map((t) => t.serial).filter((s) => s !== '');
  const pull = async () => {
    rmSync(saved, { recursive: true, force: true });
    cpSync(tokensDir(), saved, { recursive: true });
    await token.deleteToken();
  };
  const putBack = () => cpSync(saved, tokensDir(), { recursive: true });

  it('is found again by listTokens and signs again; with rescans off it stays invisible', async () => {
    const trust = loadTrustListFolder(token.trustDir);
    const provider = new Pkcs11Provider({ modulePath: token.modulePath, rescanIntervalMs: 20 });
    try {
      expect(await serials(provider)).toEqual([token.serial]);
      const before = await provider.open(token.slot, token.pin);
      await createDetachedCms(new Uint8Array([1]), before, { trustList: trust });
      await before.close();

      await pull();
      expect(await serials(provider)).toEqual([]);
      putBack();
      let found: string[] = [];
      for (let i = 0; i < 50 && found.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
        found = await serials(provider);
      }
      expect(found).toEqual([token.serial]);

      const slot = (await provider.listTokens()).find((t) => t.serial === token.serial)!.slot;
      const signer = await provider.open(slot, token.pin);
      const data = new TextEncoder().encode('评分表 after the key came back');
      const cms = await createDetachedCms(data, signer, { trustList: trust });
      expect(await verifyDetachedCms(data, cms.der, trust)).toMatchObject({ ok: true });
      await signer.close();
    } finally {
      await provider.close();
    }

    // The same with rescans turned off: the module never sees the key again.
    const blind = new Pkcs11Provider({ modulePath: token.modulePath, rescanIntervalMs: 0 });
    try {
      expect(await serials(blind)).toEqual([token.serial]);
      await pull();
      expect(await serials(blind)).toEqual([]);
      putBack();
      await new Promise((r) => setTimeout(r, 200));
      expect(await serials(blind)).toEqual([]);
    } finally {
      await blind.close();
    }
  });

  it('does not re-initialise while a token operation is still running (a key pulled mid-signature)', async () => {
    const provider = new Pkcs11Provider({ modulePath: token.modulePath, rescanIntervalMs: 20 });
    try {
      expect(await serials(provider)).toEqual([token.serial]);
      let finish = (): void => undefined;
      // Stands in for a C_SignAsync that a pulled USB key keeps busy until its time-out.
      const busy = provider.operation(() => new Promise<void>((resolve) => (finish = resolve)));
      await pull();
      expect(await serials(provider)).toEqual([]);
      putBack();
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 25));
        expect(await serials(provider)).toEqual([]); // due, but the operation is running: no C_Finalize
      }
      finish();
      await busy;
      let found: string[] = [];
      for (let i = 0; i < 50 && found.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
        found = await serials(provider);
      }
      expect(found).toEqual([token.serial]);
    } finally {
      await provider.close();
    }
  });

  it('does not re-initialise while another provider shares the module (its sessions would end)', async () => {
    const a = new Pkcs11Provider({ modulePath: token.modulePath, rescanIntervalMs: 20 });
    const b = new Pkcs11Provider({ modulePath: token.modulePath, rescanIntervalMs: 20 });
    try {
      expect(await serials(a)).toEqual([token.serial]);
      const open = await b.open(token.slot, token.pin); // b's session lives on the shared module
      await pull();
      expect(await serials(a)).toEqual([]);
      putBack();
      await new Promise((r) => setTimeout(r, 100));
      expect(await serials(a)).toEqual([]); // still invisible: a may not finalise b's module
      await open.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
