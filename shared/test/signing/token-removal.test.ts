import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetachedCms } from '../../src/signing/cms.ts';
import { Pkcs11Provider } from '../../src/signing/pkcs11-provider.node.ts';
import type { TokenRemovedEvent } from '../../src/signing/signer.ts';
import { isSigningError } from '../../src/signing/signing-errors.ts';
import { loadTrustListFolder } from '../../src/signing/trust-list.node.ts';
import { signingToolsAvailable, tokenForThisFile } from './signing-test-support.node.ts';

const available = await signingToolsAvailable('token-removal.test.ts');

/**
 * Removal is simulated by `softhsm2-util --delete-token` from another process while the signer is
 * open: to the loaded module the slot stops answering C_GetTokenInfo, as when a USB key is pulled.
 */
describe.skipIf(!available)('token removal (SoftHSM2 --delete-token while a signer is open)', () => {
  let token: Awaited<ReturnType<typeof tokenForThisFile>>;
  let provider: Pkcs11Provider;

  beforeAll(async () => {
    token = await tokenForThisFile({ cas: 1 });
    provider = new Pkcs11Provider({ modulePath: token.modulePath, pollIntervalMs: 200 });
  });
  afterAll(async () => {
    await provider?.close();
    token?.cleanup();
  });

  it('is reported within 500 ms, once, and the signer then refuses with TOKEN_REMOVED', async () => {
    const trust = loadTrustListFolder(token.trustDir);
    const signer = await provider.open(token.slot, token.pin);
    await createDetachedCms(new Uint8Array([1, 2, 3]), signer, { trustList: trust }); // usable before

    const events: { event: TokenRemovedEvent; at: number }[] = [];
    provider.onRemoved((event) => events.push({ event, at: performance.now() }));

    await token.deleteToken();
    const deletedAt = performance.now(); // the token is gone once the command has returned
    while (events.length === 0 && performance.now() - deletedAt < 2000) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 450)); // a second event would come within two more polls

    expect(events).toHaveLength(1);
    const latency = events[0]!.at - deletedAt;
    console.log(`[token-removal] removal reported ${latency.toFixed(0)} ms after softhsm2-util --delete-token returned (poll 200 ms)`);
    expect(latency).toBeLessThan(500);
    expect(events[0]!.event).toMatchObject({ slot: token.slot, serial: token.serial, signerIds: [signer.id] });

    const error = await signer.sign(new Uint8Array([1])).catch((e: unknown) => e);
    expect(isSigningError(error, 'TOKEN_REMOVED')).toBe(true);
    expect((error as { zh: string }).zh).toBe('USB Key 已拔出');
    expect((await provider.listTokens()).some((t) => t.serial === token.serial)).toBe(false);
    await signer.close(); // idempotent after removal
  });
});
