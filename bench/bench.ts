/** What a benchmark module's `run()` returns; the runner adds name, date and machine. */
export interface BenchResult {
  metrics: Record<string, number | string>;
  /** The same measurement of a reference done in the same run, so ratios are machine-independent. */
  baseline?: { description: string; metrics: Record<string, number | string> };
  notes?: string;
}

/** Latency summary in milliseconds from raw samples. */
export function summarise(samplesMs: number[]): { p50: number; p95: number; p99: number; mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}
