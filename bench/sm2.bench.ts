import { createHash, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sm2Engine } from '@kawei/shared/signing/sm2-engine.ts';
import { sm3 } from '@kawei/shared/signing/sm3.ts';
import { summarise, type BenchResult } from './bench.ts';

/**
 * What the pure-JS 国密 code costs (shared/src/signing/sm2-engine.ts, sm3.ts; Electron's BoringSSL has
 * neither algorithm): SM2 sign and verify of a score-sheet-sized message (4 KiB) and SM3 throughput,
 * against Node's native ECDSA P-256 / SHA-256 (OpenSSL) on the same messages in the same run. An SM2
 * USB key signs on the key itself; this engine signs for the software signer and verifies everywhere
 * (booth, central `signatures`), and checks SM2 certificate and CRL signatures.
 */
const ITERATIONS = Number(process.env['KAWEI_BENCH_SM2_ITERATIONS'] ?? 300);
const WARMUP = 30;
const MESSAGE = new Uint8Array(4096).map((_, i) => (i * 31 + 7) & 0xff);
const HASH_BYTES = 16 * 1024 * 1024;

function time(n: number, job: () => void): number[] {
  for (let i = 0; i < WARMUP; i++) job();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    job();
    samples.push(performance.now() - t);
  }
  return samples;
}

function throughputMBps(hash: (data: Uint8Array) => unknown): number {
  const data = new Uint8Array(HASH_BYTES).map((_, i) => i & 0xff);
  hash(data.subarray(0, 1 << 20)); // warm-up
  const t = performance.now();
  hash(data);
  return Math.round((HASH_BYTES / 2 ** 20 / ((performance.now() - t) / 1000)) * 10) / 10;
}

export async function run(): Promise<BenchResult> {
  const d = 0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8n; // a fixed key: any d in [1, n−2] will do
  const publicKey = sm2Engine.publicKeyOf(d);
  let signature = sm2Engine.sign(MESSAGE, d);
  const sm2Sign = summarise(time(ITERATIONS, () => (signature = sm2Engine.sign(MESSAGE, d))));
  let ok = true;
  const sm2Verify = summarise(time(ITERATIONS, () => (ok &&= sm2Engine.verify(MESSAGE, signature, publicKey))));
  if (!ok) throw new Error('an SM2 signature did not verify');

  const { privateKey, publicKey: ecPublic } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let der = nodeSign('sha256', MESSAGE, privateKey);
  const ecdsaSign = summarise(time(ITERATIONS, () => (der = nodeSign('sha256', MESSAGE, privateKey))));
  const ecdsaVerify = summarise(time(ITERATIONS, () => (ok &&= nodeVerify('sha256', MESSAGE, ecPublic, der))));
  if (!ok) throw new Error('an ECDSA signature did not verify');

  const sm3MBps = throughputMBps(sm3);
  const sha256MBps = throughputMBps((data) => createHash('sha256').update(data).digest());
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
  return {
    metrics: {
      sm2_sign_ms_p50: sm2Sign.p50,
      sm2_sign_ms_p95: sm2Sign.p95,
      sm2_verify_ms_p50: sm2Verify.p50,
      sm2_verify_ms_p95: sm2Verify.p95,
      sm3_mb_per_s: sm3MBps,
      sign_ratio_vs_native_ecdsa: ratio(sm2Sign.p50, ecdsaSign.p50),
      verify_ratio_vs_native_ecdsa: ratio(sm2Verify.p50, ecdsaVerify.p50),
      sm3_throughput_ratio_vs_native_sha256: ratio(sm3MBps, sha256MBps),
      iterations: ITERATIONS,
      message_bytes: MESSAGE.byteLength,
    },
    baseline: {
      description: "Node's native (OpenSSL) ECDSA P-256 with SHA-256 and SHA-256 alone, same messages, same run",
      metrics: {
        ecdsa_sign_ms_p50: ecdsaSign.p50,
        ecdsa_sign_ms_p95: ecdsaSign.p95,
        ecdsa_verify_ms_p50: ecdsaVerify.p50,
        ecdsa_verify_ms_p95: ecdsaVerify.p95,
        sha256_mb_per_s: sha256MBps,
      },
    },
  };
}
