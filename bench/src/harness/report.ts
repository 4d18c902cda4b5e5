/**
 * Turns the repetitions of a run into its tables (results/full.md for `pnpm bench`): medians per figure, delivery
 * counts summed over every scenario and repetition, ratios to the family's bare `node:http`
 * baseline, and the verdict on each of the issue's targets.
 */
import type { RedisWork } from './redis-server';
import type { Integrity, S1Result, S2Result, S3Result, S4Result } from './scenarios';
import { BASELINES, IN_EXPRESS, type TargetSpec } from './targets';

export type ScenarioName = 's1' | 's2' | 's3' | 's4';

/** Every repetition's result (or error) for one target. */
export interface TargetRuns {
  target: TargetSpec;
  s1: S1Result[];
  s2: S2Result[];
  s3: S3Result[];
  s4: S4Result[];
  errors: string[];
}

/** Medians of one target. */
export interface Summary {
  name: string;
  kind: TargetSpec['kind'];
  family: TargetSpec['family'];
  reps: Record<ScenarioName, number>;
  rssPerConn?: number;
  heapPerConn?: number;
  connectCpuPerConn?: number;
  p50?: number;
  p99?: number;
  max?: number;
  s2CpuPerDelivery?: number;
  deliveriesPerSec?: number;
  drainMs?: number;
  s3CpuPerDelivery?: number;
  heapDelta?: number;
  tcpDelta?: number;
  heldAfter?: number;
  leaks?: number;
  /** CPU other processes on the machine used during this target's scenarios, cores: median and max. */
  otherCpu?: number;
  otherCpuMax?: number;
  /** Redis targets: what Redis did per publish in S2 and S3 (medians; the breakdown of the last repetition). */
  redis?: { s2?: RedisWork; s3?: RedisWork };
  integrity: Integrity;
  errors: string[];
}

export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const INTEGRITY_KEYS = ['expected', 'delivered', 'missed', 'duplicated', 'outOfOrder', 'unexpected', 'gaps', 'errors', 'reopened', 'responses'] as const;

export function summarize(runs: TargetRuns): Summary {
  const integrity = Object.fromEntries(INTEGRITY_KEYS.map((key) => [key, 0])) as unknown as Integrity;
  const all = [...runs.s1, ...runs.s2, ...runs.s3, ...runs.s4];
  for (const result of all) {
    for (const key of INTEGRITY_KEYS) integrity[key] += result[key];
  }
  const m = <T>(list: T[], pick: (item: T) => number): number | undefined => median(list.map(pick));
  return {
    name: runs.target.name,
    kind: runs.target.kind,
    family: runs.target.family,
    reps: { s1: runs.s1.length, s2: runs.s2.length, s3: runs.s3.length, s4: runs.s4.length },
    rssPerConn: m(runs.s1, (r) => r.rssPerConn),
    heapPerConn: m(runs.s1, (r) => r.heapPerConn),
    connectCpuPerConn: m(runs.s1, (r) => r.connectCpuPerConn),
    p50: m(runs.s2, (r) => r.p50),
    p99: m(runs.s2, (r) => r.p99),
    max: m(runs.s2, (r) => r.max),
    s2CpuPerDelivery: m(runs.s2, (r) => r.cpuPerDelivery),
    deliveriesPerSec: m(runs.s3, (r) => r.deliveriesPerSec),
    drainMs: m(runs.s3, (r) => r.drainMs),
    s3CpuPerDelivery: m(runs.s3, (r) => r.cpuPerDelivery),
    heapDelta: m(runs.s4, (r) => r.heapDelta),
    tcpDelta: m(runs.s4, (r) => r.tcpDelta),
    heldAfter: m(runs.s4, (r) => r.heldAfter),
    leaks: runs.s4.length ? runs.s4.filter((r) => r.leak).length : undefined,
    otherCpu: median(all.map((r) => r.otherCpu)),
    otherCpuMax: all.length ? Math.max(...all.map((r) => r.otherCpu)) : undefined,
    ...(runs.target.redis ? { redis: { s2: medianWork(runs.s2.map((r) => r.redis)), s3: medianWork(runs.s3.map((r) => r.redis)) } } : {}),
    integrity,
    errors: runs.errors,
  };
}

function medianWork(works: readonly (RedisWork | undefined)[]): RedisWork | undefined {
  const list = works.filter((w): w is RedisWork => w !== undefined);
  if (list.length === 0) return undefined;
  return {
    clientCommandsPerPublish: median(list.map((w) => w.clientCommandsPerPublish))!,
    commandsPerPublish: median(list.map((w) => w.commandsPerPublish))!,
    cpuPerPublish: median(list.map((w) => w.cpuPerPublish))!,
    breakdown: list[list.length - 1]!.breakdown,
  };
}

const fmt = (value: number | undefined, digits = 1): string => (value === undefined ? '–' : value.toFixed(digits));
const kb = (bytes: number | undefined): string => (bytes === undefined ? '–' : (bytes / 1024).toFixed(2));
const ratio = (value: number | undefined, base: number | undefined): number | undefined =>
  value === undefined || base === undefined || base === 0 ? undefined : value / base;

/** The table of figures (medians). */
export function figuresTable(summaries: Summary[]): string {
  const rows = [
    '| target | S1 RSS/conn KB | S1 heap/conn KB | S2 p50 ms | S2 p99 ms | S2 max ms | S3 deliveries/s | S3 drain ms | S4 heap Δ KB | S4 sockets Δ | S4 leak | missed / dup / out-of-order |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const s of summaries) {
    const i = s.integrity;
    const leak = s.leaks === undefined ? '–' : s.leaks === 0 ? 'no' : `yes (${s.leaks}/${s.reps.s4})`;
    rows.push(
      `| ${s.name} | ${kb(s.rssPerConn)} | ${kb(s.heapPerConn)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${fmt(s.max, 1)} | ` +
        `${fmt(s.deliveriesPerSec, 0)} | ${fmt(s.drainMs, 0)} | ${kb(s.heapDelta)} | ${fmt(s.tcpDelta, 0)} | ${leak} | ` +
        `${i.missed} / ${i.duplicated} / ${i.outOfOrder}${s.errors.length ? ` (${s.errors.length} failed)` : ''} |`,
    );
  }
  return rows.join('\n');
}

/** Extra columns: CPU, reconnects, errors, gaps. */
export function detailsTable(summaries: Summary[]): string {
  const rows = [
    '| target | reps S1/S2/S3/S4 | S1 connect CPU µs/conn | S2 CPU µs/delivery | S3 CPU µs/delivery | deliveries checked | gaps | conn. errors | streams reopened | other processes, cores (median / max) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of summaries) {
    const i = s.integrity;
    rows.push(
      `| ${s.name} | ${s.reps.s1}/${s.reps.s2}/${s.reps.s3}/${s.reps.s4} | ${fmt(s.connectCpuPerConn, 0)} | ` +
        `${fmt(s.s2CpuPerDelivery, 2)} | ${fmt(s.s3CpuPerDelivery, 2)} | ${i.delivered} of ${i.expected} | ${i.gaps} | ${i.errors} | ${i.reopened} | ` +
        `${fmt(s.otherCpu, 2)} / ${fmt(s.otherCpuMax, 2)} |`,
    );
  }
  return rows.join('\n');
}

interface Verdict {
  name: string;
  memory?: number;
  p99?: number;
  throughput?: number;
  lossless: boolean;
  noLeak: boolean;
  beatsPeers: string[];
  losesTo: string[];
}

function verdict(s: Summary, base: Summary | undefined, peers: Summary[]): Verdict {
  const beats: string[] = [];
  const loses: string[] = [];
  for (const peer of peers) {
    const checks: [string, boolean | undefined][] = [
      ['memory', s.rssPerConn !== undefined && peer.rssPerConn !== undefined ? s.rssPerConn < peer.rssPerConn : undefined],
      ['p99', s.p99 !== undefined && peer.p99 !== undefined ? s.p99 < peer.p99 : undefined],
      ['throughput', s.deliveriesPerSec !== undefined && peer.deliveriesPerSec !== undefined ? s.deliveriesPerSec > peer.deliveriesPerSec : undefined],
    ];
    const lost = checks.filter(([, ok]) => ok === false).map(([what]) => what);
    if (lost.length) loses.push(`${peer.name} (${lost.join(', ')})`);
    else beats.push(peer.name);
  }
  return {
    name: s.name,
    memory: ratio(s.rssPerConn, base?.rssPerConn),
    p99: ratio(s.p99, base?.p99),
    throughput: ratio(s.deliveriesPerSec, base?.deliveriesPerSec),
    lossless: s.integrity.missed === 0 && s.integrity.duplicated === 0 && s.integrity.outOfOrder === 0 && s.errors.length === 0,
    noLeak: s.leaks === 0,
    beatsPeers: beats,
    losesTo: loses,
  };
}

/** Ratios to the family baseline and the verdict on each target of the issue. */
export function verdictTable(summaries: Summary[]): string {
  const peers = summaries.filter((s) => s.kind === 'peer');
  const rows = [
    '| target | vs | memory/conn ratio (≤ 1.3) | p99 ratio (≤ 1.3) | deliveries/s ratio (≥ 0.8) | S3 CPU/delivery ratio (≤ 1.3) | vs the bare handler in Express: p99, deliveries/s (≤ 1.2×) | lossless | no leak | better than the peers of its family? | better than every peer? |',
    '|---|---|---:|---:|---:|---:|---|---|---|---|---|',
  ];
  const mark = (value: number | undefined, ok: (v: number) => boolean): string =>
    value === undefined ? '–' : `${value.toFixed(2)} ${ok(value) ? '✓' : '✗'}`;
  for (const s of summaries) {
    if (s.kind === 'baseline') continue;
    const base = summaries.find((b) => b.kind === 'baseline' && b.name === BASELINES[s.family]);
    const v = verdict(s, base, s.kind === 'cometkit' ? peers : []);
    const family = verdict(s, base, s.kind === 'cometkit' ? peers.filter((p) => p.family === s.family) : []);
    const beats = (x: Verdict): string => (s.kind !== 'cometkit' ? '(peer)' : x.losesTo.length ? `✗ loses to ${x.losesTo.join('; ')}` : '✓');
    // Express-mounted targets may instead be judged against the bare handler inside Express.
    const inExpressName = IN_EXPRESS[s.family];
    const inExpress = s.kind === 'cometkit' && inExpressName && /^cometkit express[ +]/.test(s.name) ? summaries.find((r) => r.name === inExpressName) : undefined;
    const express = inExpress
      ? `${mark(ratio(s.p99, inExpress.p99), (x) => x <= 1.2)}, ${mark(ratio(s.deliveriesPerSec, inExpress.deliveriesPerSec), (x) => x >= 1 / 1.2)}`
      : '–';
    rows.push(
      `| ${s.name} | ${base?.name ?? '–'} | ${mark(v.memory, (x) => x <= 1.3)} | ${mark(v.p99, (x) => x <= 1.3)} | ` +
        `${mark(v.throughput, (x) => x >= 0.8)} | ${mark(ratio(s.s3CpuPerDelivery, base?.s3CpuPerDelivery), (x) => x <= 1.3)} | ${express} | ` +
        `${v.lossless ? '✓' : '✗'} | ${s.leaks === undefined ? '–' : v.noLeak ? '✓' : '✗'} | ${beats(family)} | ${beats(v)} |`,
    );
  }
  return rows.join('\n');
}

/** The memory-broker target a Redis target is compared with: the same name without `(redis, …)`. */
export const memoryTwin = (name: string): string => name.replace(/ \(redis, .*\)$/, '');
/** A Redis target's control on as many processes, each with its own memory broker (`copies`). */
export const layoutTwin = (name: string): string => name.replace(/ \(redis, (.*)\)$/, ' (memory, $1)');

/**
 * The Redis targets against their memory-broker twins of the same run (issue 12's targets: p99
 * within 2 ms of memory at S2's load; Redis work per publish independent of the subscribers, S2
 * holds 4× S3's), and the commands Redis ran per publish (`INFO commandstats`, delta over the
 * publish run divided by the publishes). Two twins: the one-process memory target, and (for two
 * processes) the control on as many processes, a memory broker each (`copies`), which takes the
 * cost of a second process on the same cores out of the difference.
 */
export function redisTable(summaries: Summary[]): string {
  const rows = [
    '| target | vs | S2 p99 − memory p99, ms (≤ 2) | S2 p99 − memory on as many processes, ms (≤ 2) | S3 deliveries/s ratio to memory | S2 commands sent / publish | S3 commands sent / publish | S2 commands run / publish (scripts included) | S3 commands run / publish | Redis CPU µs / publish (S2, S3) | S3 commands, per publish |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  const p99Over = (s: Summary, twin: Summary | undefined): string => {
    const p99 = s.p99 !== undefined && twin?.p99 !== undefined ? s.p99 - twin.p99 : undefined;
    return p99 === undefined ? '–' : `${p99.toFixed(2)} ${p99 <= 2 ? '✓' : '✗'}`;
  };
  for (const s of summaries) {
    if (!s.redis) continue;
    const twin = summaries.find((t) => t.name === memoryTwin(s.name));
    const layout = summaries.find((t) => t.name === layoutTwin(s.name));
    const { s2, s3 } = s.redis;
    rows.push(
      `| ${s.name} | ${twin?.name ?? '–'} | ${p99Over(s, twin)} | ${p99Over(s, layout)} | ${fmt(ratio(s.deliveriesPerSec, twin?.deliveriesPerSec), 2)} | ` +
        `${fmt(s2?.clientCommandsPerPublish, 2)} | ${fmt(s3?.clientCommandsPerPublish, 2)} | ${fmt(s2?.commandsPerPublish, 2)} | ${fmt(s3?.commandsPerPublish, 2)} | ` +
        `${fmt(s2?.cpuPerPublish, 1)}, ${fmt(s3?.cpuPerPublish, 1)} | ${s3?.breakdown ?? '–'} |`,
    );
  }
  return rows.join('\n');
}
