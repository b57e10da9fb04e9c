import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createDispatcher, defineContract, EventHub } from '../../src/contract/contract.ts';
import { startAppHost, type AppHost } from '../../src/host/app-host.node.ts';
import { contentSecurityPolicy } from '../../src/security/renderer-files.ts';

/**
 * The host serves what the renderer's face pipeline needs: WebAssembly may be compiled (and nothing
 * more is loosened), .wasm files go out as application/wasm, the page is cross-origin isolated.
 */
const contract = defineContract('demo', { echo: { input: z.object({}).strict(), output: z.object({}) } }, {});
// The first bytes of every wasm module: magic and version 1.
const WASM_HEADER = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let host: AppHost;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-host-wasm-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  mkdirSync(join(dir, 'tfjs-wasm'));
  writeFileSync(join(dir, 'tfjs-wasm', 'tfjs-backend-wasm-simd.wasm'), WASM_HEADER);
  host = await startAppHost({
    contract,
    dispatch: createDispatcher(contract, { echo: async () => ({}) }),
    events: new EventHub(contract),
    rendererDir: dir,
  });
});
afterAll(() => host.close());

function directives(csp: string): Record<string, string> {
  return Object.fromEntries(csp.split('; ').map((d) => [d.slice(0, d.indexOf(' ')), d.slice(d.indexOf(' ') + 1)]));
}

describe('app host and the renderer face pipeline', () => {
  it("allows WebAssembly compilation and nothing else beyond script-src 'self'", async () => {
    const res = await fetch(host.url);
    const csp = directives(res.headers.get('content-security-policy') ?? '');
    expect(csp['script-src']).toBe("'self' 'wasm-unsafe-eval'");
    expect(csp['worker-src']).toBeUndefined();
    expect(csp['default-src']).toBe("'self'");
    expect(csp['connect-src']).toBe(`'self' ws://127.0.0.1:${host.port} ws://localhost:${host.port}`);
  });

  it('serves .wasm as application/wasm, same-origin only, cross-origin isolated', async () => {
    const res = await fetch(`${host.url}tfjs-wasm/tfjs-backend-wasm-simd.wasm`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/wasm');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(Buffer.from(await res.arrayBuffer()).equals(WASM_HEADER)).toBe(true);
  });

  it("leaves the default (Electron) policy as it was: script-src 'self' only", () => {
    expect(directives(contentSecurityPolicy())['script-src']).toBe("'self'");
    expect(directives(contentSecurityPolicy({ wasm: true }))['script-src']).toBe("'self' 'wasm-unsafe-eval'");
  });
});
