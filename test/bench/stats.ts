// Latency summaries shared by the benchmarks.

export interface LatencyResult {
  name: string;
  iterations: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  throughputPerSec: number;
}

export function summarize(name: string, samplesMs: number[], wallMs: number): LatencyResult {
  const s = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    name,
    iterations: s.length,
    p50Ms: round(at(0.5)),
    p90Ms: round(at(0.9)),
    p99Ms: round(at(0.99)),
    maxMs: round(s[s.length - 1] ?? 0),
    meanMs: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
    throughputPerSec: Math.round((s.length / wallMs) * 1000),
  };
}
