import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { createDetachedCms } from '../../src/signing/cms.ts';
import { Pkcs11Provider } from '../../src/signing/pkcs11-provider.node.ts';
import type { TokenRemovedEvent } from '../../src/signing/signer.ts';
import { isSigningError } from '../../src/signing/signing-errors.ts';
import { loadTrustListFolder } from '../../src/signing/trust-list.node.ts';
import { tokenForThisFile } from './signing-test-support.node.ts';

/**
 * Removal is simulated by `softhsm2-util --delete-token` from another process while the signer is
 * open: to the loaded module the slot stops answering C_GetTokenInfo, as when a USB key is pulled.
 */
const POLL_MS = 200;

describe('token removal (SoftHSM2 --delete-token while a signer is open)', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: Awaited<ReturnType<typeof tokenForThisFile>>;
  let provider: Pkcs11Provider;

  beforeAll(async () => {
    token = await tokenForThisFile({ cas: 1 });
    provider = new Pkcs11Provider({ modulePath: token.modulePath, pollIntervalMs: POLL_MS });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await provider?.close();
    token?.cleanup();
  });

  it('is reported at the first poll after the removal, once, and the signer then refuses with TOKEN_REMOVED', async () => {
    // The removal poll's interval is stepped by the test (its timer is faked), so "the first poll"
    // is a step here, not a guess at how fast this machine is: with the 200 ms poll, a pulled key is
    // reported within 200 ms plus one C_GetSlotInfo.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const trust = loadTrustListFolder(token.trustDir);
    const signer = await provider.open(token.slot, token.pin);
    await createDetachedCms(new Uint8Array([1, 2, 3]), signer, { trustList: trust }); // usable before

    const events: TokenRemovedEvent[] = [];
    provider.onRemoved((event) => events.push(event));
    vi.advanceTimersByTime(POLL_MS);
    expect(events, 'a poll while the key is in').toEqual([]);

    await token.deleteToken();
    expect(events, 'nothing notices before the next poll').toEqual([]);
    vi.advanceTimersByTime(POLL_MS);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ slot: token.slot, serial: token.serial, signerIds: [signer.id] });
    vi.advanceTimersByTime(5 * POLL_MS);
    expect(events, 'reported once').toHaveLength(1);
    vi.useRealTimers();

    const error = await signer.sign(new Uint8Array([1])).catch((e: unknown) => e);
    expect(isSigningError(error, 'TOKEN_REMOVED')).toBe(true);
    expect((error as { zh: string }).zh).toBe('USB Key 已拔出');
    expect((await provider.listTokens()).some((t) => t.serial === token.serial)).toBe(false);
    await signer.close(); // idempotent after removal
  });
});
