/**
 * `npm run bench -- committee`: the committee's figures from issue #13.
 *
 * - `aggregate_ms`: the central's aggregation (shared/src/committee/aggregate.ts through H1's
 *   bench/committee-aggregate.ts `aggregateAll`) of a whole day of 300 projects × 9 experts × 20 bids ×
 *   30 items, once warmed, median of several runs (target ≤ 1 s on one core).
 *   Baseline, same run: `plainLoopBaseline` — nested loops over the same data summing each expert's
 *   item scores per bid, the mean of the totals and a sort; no checks, flags, rounding, price score or
 *   ties — so the ratio is machine-independent.
 * - `results_p95_ms`: last signature → results shown in every booth of a 9-expert committee, through
 *   the real parts (tests/support/committee-stack.node.ts: `kawei-central serve` over TLS, nine real
 *   booth services each with its SoftHSM2 key, logged in by face, the rules published with
 *   publish-project). A sample starts when the last member's `submitScores` is called (the USB-key
 *   signature, the sealed event, upstream sync, the central's judgement and aggregation, the
 *   `committee.booth` messages down the nine streams) and ends when the ninth booth's services have
 *   pushed a review whose committee has the new results (getReview().committee.results). Samples: the
 *   first results of each committee, then re-checks — the chair sends one member's sheet back, the
 *   member revises and signs revision n+1 (the last signature), new results everywhere. p95 over all
 *   samples (target ≤ 2 s).
 */
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import { startCommitteeStack } from '../tests/support/committee-stack.node.ts';
import { scoringOnlyRules, openingBids } from '../tests/support/committee-rules.node.ts';
import { chairStep, committeeIn, doSheet, fillSheet, sheetOf } from '../tests/support/committee-flow.node.ts';
import type { CommitteeBooth } from '../tests/support/committee-booth.node.ts';
import { type BenchResult, summarise } from './bench.ts';
import { aggregateAll, makeCommitteeDay, plainLoopBaseline } from './committee-aggregate.ts';

const COMMITTEES = 2;
const MEMBERS = 9;
const RECHECKS_PER_COMMITTEE = 5;
const ITEMS = 8;
const BIDS = openingBids([1_000_000, 1_020_000, 990_000, 1_050_000, 1_010_000]);

async function aggregateFigures(): Promise<{ aggregateMs: number; baselineMs: number; runs: number }> {
  const day = makeCommitteeDay({ projects: 300, experts: 9, bids: 20, items: 30, seed: 13 });
  const time = (fn: () => unknown) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  const runs = 7;
  // warm both paths (JIT) before measuring, then interleave
  time(() => aggregateAll(day));
  time(() => plainLoopBaseline(day));
  const agg: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    agg.push(time(() => aggregateAll(day)));
    base.push(time(() => plainLoopBaseline(day)));
  }
  return { aggregateMs: summarise(agg).p50, baselineMs: summarise(base).p50, runs };
}

/** Resolves with the time the booth's services push a review whose results differ from `previous`. */
function resultsPushed(booth: CommitteeBooth, previous: string | null, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${booth.codename}: no new results pushed within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = booth.services.events.subscribe((channel, payload) => {
      if (channel !== 'review') return;
      const sha = (payload as ReviewView).committee?.results?.resultsSha256 ?? null;
      if (sha !== null && sha !== previous) {
        clearTimeout(timer);
        stop();
        resolve(performance.now());
      }
    });
  });
}

async function resultsLatency(): Promise<{ samples: number[]; setupS: number }> {
  const t0 = performance.now();
  const projects = Array.from({ length: COMMITTEES }, (_, i) => ({
    id: `BENCH-${i + 1}`,
    members: MEMBERS,
    alternates: 1,
    rules: { ...scoringOnlyRules(ITEMS), settings: { chair: 'vote' as const } },
    bids: BIDS,
  }));
  const stack = await startCommitteeStack({ projects, linkIntervalMs: 250 });
  const setupS = (performance.now() - t0) / 1000;
  const samples: number[] = [];
  try {
    for (const p of projects) {
      const booths = stack.boothsOf(p.id);
      const chair = booths[0]!;
      for (const b of booths) await b.call('castChairVote', { candidate: chair.codename });
      await Promise.all(booths.map((b) => committeeIn(b, 'the chair', (c) => c.chair === chair.codename, 60_000)));
      const score = (k: number) => sheetOf(BIDS.map((b) => b.code), (_, i) => Object.fromEntries(Array.from({ length: ITEMS }, (_, t) => [`T${t + 1}`, 3 + ((i + k + t) % 5)])));
      for (const [k, b] of booths.slice(0, -1).entries()) await doSheet(b, score(k));

      const measure = async (last: CommitteeBooth, previous: string | null) => {
        const everywhere = Promise.all(booths.map((b) => resultsPushed(b, previous)));
        const start = performance.now();
        await last.call('submitScores', { pin: last.key.pin });
        const shown = await everywhere;
        samples.push(Math.max(...shown) - start);
        return (await booths[0]!.review()).committee!.results!.resultsSha256;
      };
      const last = booths.at(-1)!;
      await fillSheet(last, score(MEMBERS - 1));
      let sha = await measure(last, null);

      for (let r = 0; r < RECHECKS_PER_COMMITTEE; r++) {
        const member = booths[1 + (r % (MEMBERS - 1))]!;
        await chairStep(chair, 'request_recheck', { codename: member.codename, reason: 'other', cells: [], note: 'bench' });
        await committeeIn(member, 'the sheet sent back', (c) => c.recheck !== null && c.stage === 'recheck', 60_000);
        await committeeIn(member, 'its new draft', (_c, v) => v.step === 'detailed', 60_000);
        // a changed cell, so the results differ from the previous ones
        const current = (await member.call<ScoreSheet>('getScoreSheet')).scores['A']?.['T1'] ?? 3;
        await fillSheet(member, { A: { T1: current >= 7 ? current - 1 : current + 1 } });
        sha = await measure(member, sha);
      }
    }
  } finally {
    await stack.stop();
  }
  return { samples, setupS };
}

export async function run(): Promise<BenchResult> {
  const aggregate = await aggregateFigures();
  const latency = await resultsLatency();
  const s = summarise(latency.samples);
  return {
    metrics: {
      aggregate_ms: Math.round(aggregate.aggregateMs * 10) / 10,
      aggregate_baseline_ms: Math.round(aggregate.baselineMs * 10) / 10,
      aggregate_over_baseline: Math.round((aggregate.aggregateMs / aggregate.baselineMs) * 100) / 100,
      results_p95_ms: Math.round(s.p95),
      results_p50_ms: Math.round(s.p50),
      results_max_ms: Math.round(Math.max(...latency.samples)),
      results_samples: latency.samples.length,
    },
    baseline: {
      description: 'plainLoopBaseline (bench/committee-aggregate.ts): nested loops over the same day summing each expert’s item scores per bid, the mean of the totals and a sort; no checks, flags, rounding, price score or ties',
      metrics: { aggregate_baseline_ms: Math.round(aggregate.baselineMs * 10) / 10 },
    },
    notes:
      `aggregate: 300 projects × 9 experts × 20 bids × 30 items, median of ${aggregate.runs} runs after a warm-up. ` +
      `results: ${COMMITTEES} committees × ${MEMBERS} real booth services, ${ITEMS} items × ${BIDS.length} bids, first results + ${RECHECKS_PER_COMMITTEE} re-checks each ` +
      `(samples ms: ${latency.samples.map((x) => Math.round(x)).join(', ')}); stack set-up ${latency.setupS.toFixed(0)} s.`,
  };
}
