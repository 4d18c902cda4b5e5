/**
 * The benchmark driver: `pnpm bench` (from the repo root). Runs every scenario against every
 * target, each in its own server process with its own load-client process, for several
 * repetitions, then prints the tables RESULTS.md reports from. Every child is killed by PID, also on failure.
 *
 *   tsx src/harness/driver.ts [--tiny] [--reps N | --reps s1=3,s2=1,…] [--targets a,b] [--scenarios s1,s3] [--s3-chunk N] [--s2-rate N] [--s2-subscribers N]
 *                     [--publisher http|ipc] [--json FILE] [--markdown FILE] [--charts DIR]
 *
 * --publisher http (default): a publisher process POSTs each message to the server's publish route
 * over one pipelined keep-alive connection and stamps it when the request is written (what an app
 * sees); ipc: the server publishes in a loop it is told to run over IPC (delivery cost alone).
 *
 * --markdown writes the tables to that file (results/full.md for `pnpm bench`); RESULTS.md, written
 * by hand, reports from it. --charts writes the run's SVG charts into that folder.
 *
 * --targets keeps targets whose name contains one of the words (`cometkit express`, `node:http`);
 * the Redis targets (`… (redis, 2 processes)`) only when a word names redis (`--targets redis`) or
 * no --targets is given. With Redis targets in the run, the driver also measures the Redis log
 * throughput once (publisher processes straight into one redis-server's log).
 * --before DIR: a checkout of an earlier commit, installed and built (`pnpm install && pnpm build`
 * there): its core, Express and Koa packages serve extra long-poll and JSONP targets named
 * `… (before)`, so a change is measured against the code before it in the same run.
 * --reps: repetitions of every scenario, or per scenario. Default s1=3,s2=3,s3=3,s4=1 (about
 * 14 minutes): S4 is a yes/no (and the longest), so it runs once.
 */
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Child, startedPids } from './proc';
import { barChart } from './charts';
import { detailsTable, figuresTable, layoutTwin, memoryTwin, redisTable, summarize, verdictTable, type ScenarioName, type Summary, type TargetRuns } from './report';
import { FULL, TINY, s1, s2, s3, s4, usePublisher, waitForQuiet, type Sizes } from './scenarios';
import { allTargets, beforeTargets, COMETKIT_TRANSPORTS, type TargetSpec } from './targets';
import { LOG_FULL, LOG_TINY, logTable, logThroughput, type LogThroughput } from './redis-log';

const { values: options } = parseArgs({
  options: {
    tiny: { type: 'boolean', default: false },
    reps: { type: 'string' },
    targets: { type: 'string' },
    scenarios: { type: 'string', default: 's1,s2,s3,s4' },
    json: { type: 'string' },
    markdown: { type: 'string' },
    charts: { type: 'string' },
    's3-chunk': { type: 'string' },
    's2-rate': { type: 'string' },
    's2-subscribers': { type: 'string' },
    publisher: { type: 'string', default: 'http' },
    before: { type: 'string' },
  },
});
if (options.publisher !== 'http' && options.publisher !== 'ipc') throw new Error('--publisher is http or ipc');
usePublisher(options.publisher);

const base: Sizes = options.tiny ? TINY : FULL;
// --s3-chunk N: publishes per event-loop turn in S3 (default 50; 2000 = the whole burst in one turn).
const chunked: Sizes = options['s3-chunk'] ? { ...base, s3: { ...base.s3, chunk: Number(options['s3-chunk']) } } : base;
// --s2-rate N: S2's messages per second (default 20); a rate the server keeps up with makes its
// CPU per delivery the CPU of one poll cycle, which the machine's other load disturbs little.
const rated: Sizes = options['s2-rate'] ? { ...chunked, s2: { ...chunked.s2, rate: Number(options['s2-rate']) } } : chunked;
// --s2-subscribers N: S2's subscribers (default 2,000): a load that leaves the machine's two cores
// idle part of the time, to tell what a path costs from what waiting for a busy core costs.
const sizes: Sizes = options['s2-subscribers'] ? { ...rated, s2: { ...rated.s2, subscribers: Number(options['s2-subscribers']) } } : rated;
const scenarios = options.scenarios.split(',').map((s) => s.trim()) as ScenarioName[];
const reps = readReps(options.reps ?? (options.tiny ? '1' : 's1=3,s2=3,s3=3,s4=1'));
const maxReps = Math.max(...scenarios.map((scenario) => reps[scenario]));

function readReps(text: string): Record<ScenarioName, number> {
  if (/^\d+$/.test(text)) return { s1: Number(text), s2: Number(text), s3: Number(text), s4: Number(text) };
  const result = { s1: 1, s2: 1, s3: 1, s4: 1 };
  for (const part of text.split(',')) {
    const [name, count] = part.split('=');
    if (!(name! in result) || !Number(count)) throw new Error(`--reps: cannot read "${part}"`);
    result[name as ScenarioName] = Number(count);
  }
  return result;
}
const runners = { s1, s2, s3, s4 } as const;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Which cometkit transports the BUILT core serves (the rest are still landing on main). */
async function servedTransports(): Promise<Set<string>> {
  const server = await Child.start('server probe', 'servers/cometkit.ts', ['express']);
  const served = new Set<string>();
  try {
    for (const { transport } of COMETKIT_TRANSPORTS) {
      const status = await new Promise<number>((resolve) => {
        const req = http.get(`http://127.0.0.1:${server.port}/comet/${transport}?channel=bench/probe&callback=cb`, { agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', () => resolve(0));
        setTimeout(() => {
          req.destroy();
          resolve(200); // held: a long-poll that waits for a message
        }, 300);
      });
      if (status !== 404 && status !== 0) served.add(transport);
    }
  } finally {
    await server.stop();
  }
  return served;
}

function selectTargets(served: Set<string>): { targets: TargetSpec[]; skipped: string[] } {
  const words = options.targets?.split(',').map((w) => w.trim().toLowerCase());
  const skipped: string[] = [];
  const all = [...allTargets(), ...(options.before ? beforeTargets(options.before) : [])];
  // A Redis target brings its memory-broker twin: the two are compared within one run.
  const redisRuns = words?.some((word) => word.includes('redis'));
  const twins = new Set(all.filter((t) => t.redis && redisRuns && words!.some((word) => t.name.toLowerCase().includes(word))).flatMap((t) => [memoryTwin(t.name), layoutTwin(t.name)]));
  const targets = all.filter((target) => {
    if (words && !twins.has(target.name) && !words.some((word) => target.name.toLowerCase().includes(word))) return false;
    if (target.kind === 'diagnostic' && !words?.some((word) => word.startsWith('diag'))) return false;
    // A word like `cometkit express sse` keeps meaning the memory-broker target alone.
    if (target.redis && words && !words.some((word) => word.includes('redis'))) return false;
    // Nor the two-process control, unless it is named (`sse (memory`) or its Redis target runs.
    if (target.copies && words && !twins.has(target.name) && !words.some((word) => word.includes('(memory') && target.name.toLowerCase().includes(word))) return false;
    if (target.transport && !served.has(target.transport)) {
      skipped.push(target.name);
      return false;
    }
    return true;
  });
  return { targets, skipped };
}

function headline(scenario: ScenarioName, result: Record<string, number | boolean>): string {
  const kinds = (result as { errorKinds?: Record<string, number> }).errorKinds;
  const errors = kinds ? `, errors ${Object.entries(kinds).map(([kind, n]) => `${n}× ${kind}`).join(', ')}` : '';
  const miss = `missed ${result.missed} dup ${result.duplicated} ooo ${result.outOfOrder}${errors}`;
  switch (scenario) {
    case 's1':
      return `${((result.rssPerConn as number) / 1024).toFixed(2)} KB RSS/conn, ${miss}`;
    case 's2':
      return (
        `p50 ${(result.p50 as number).toFixed(2)} p99 ${(result.p99 as number).toFixed(2)} max ${(result.max as number).toFixed(1)} ms, ` +
        `server CPU ${(result.cpuPerDelivery as number).toFixed(1)} µs/delivery, client CPU ${(result.clientCpuMs as number).toFixed(0)} ms ` +
        `(loop delay p99 ${(result.clientLoopDelayP99 as number).toFixed(1)} ms), ${miss}`
      );
    case 's3':
      return (
        `${(result.deliveriesPerSec as number).toFixed(0)} deliveries/s, drain ${(result.drainMs as number).toFixed(0)} ms, ` +
        `server CPU ${(result.cpuPerDelivery as number).toFixed(2)} µs/delivery, client CPU ${(result.clientCpuMs as number).toFixed(0)} ms, ` +
        `${result.responses ? `${((result.delivered as number) / (result.responses as number)).toFixed(1)} messages/poll response, ` : ''}${miss}`
      );
    case 's4':
      return `heap Δ ${((result.heapDelta as number) / 1024).toFixed(0)} KB, sockets Δ ${result.tcpDelta}, leak ${result.leak}, ${miss}`;
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const served = await servedTransports();
  const { targets, skipped } = selectTargets(served);
  const plan = scenarios.map((scenario) => `${scenario}×${reps[scenario]}`).join(', ');
  log(`bench: ${targets.length} targets, ${plan}${options.tiny ? ' (tiny)' : ''}`);
  if (skipped.length) log(`bench: not served by the built core, skipped: ${skipped.join(', ')}`);
  const runs: TargetRuns[] = targets.map((target) => ({ target, s1: [], s2: [], s3: [], s4: [], errors: [] }));
  // Repetitions outermost, so that drift over the run spreads over every target alike.
  for (let rep = 1; rep <= maxReps; rep++) {
    for (const run of runs) {
      for (const scenario of scenarios) {
        if (rep > reps[scenario]) continue;
        if (run.target.scenarios && !run.target.scenarios.includes(scenario)) continue;
        // On a shared machine, start when other processes leave the cores alone (bounded wait).
        if (!options.tiny) {
          const waited = await waitForQuiet(0.5, 1_500);
          if (waited > 1_000) log(`  (waited ${(waited / 1000).toFixed(0)} s for other processes to quieten)`);
        }
        const started = Date.now();
        try {
          const result = await runners[scenario](run.target, sizes);
          (run[scenario] as unknown[]).push(result);
          const other = `other processes ${result.otherCpu.toFixed(2)} cores`;
          log(`[${rep}/${reps[scenario]}] ${run.target.name} ${scenario.toUpperCase()}: ${headline(scenario, result as never)}, ${other} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        } catch (error) {
          const message = `${scenario.toUpperCase()} rep ${rep}: ${(error as Error).message.split('\n')[0]}`;
          run.errors.push(message);
          log(`[${rep}/${reps[scenario]}] ${run.target.name} ${message}`);
        }
      }
    }
  }
  // The Redis log throughput (issue 12: one Redis takes ≥ 50,000 publishes/s into the log).
  let redisLog: LogThroughput | string | undefined;
  if (targets.some((target) => target.redis)) {
    try {
      const result = await logThroughput(options.tiny ? LOG_TINY : LOG_FULL);
      redisLog = result;
      log(`redis log: ${result.perSecond.toFixed(0)} publishes/s (${result.processes} processes × ${result.inFlight} in flight), ${result.commandsPerPublish.toFixed(2)} commands run per publish`);
    } catch (error) {
      redisLog = `failed: ${(error as Error).message.split('\n')[0]}`;
      log(`redis log: ${redisLog}`);
    }
  }
  const summaries = runs.map(summarize);
  const seconds = (Date.now() - t0) / 1000;
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
  const out = [
    `Publisher: ${options.publisher === 'http' ? 'HTTP (POST /bench/publish, one pipelined keep-alive connection per process posted to, stamped by the publisher)' : 'IPC (the server publishes in a loop, stamped at the publish call)'}.`,
    `Sizes: ${JSON.stringify(sizes)}; repetitions: ${plan}; run time ${seconds.toFixed(0)} s.`,
    `Machine: ${machine}.`,
    skipped.length ? `Not served by the built core (skipped): ${skipped.join(', ')}.` : '',
    '',
    '### Figures (medians over repetitions; delivery counts summed over every scenario and repetition)',
    '',
    figuresTable(summaries),
    '',
    '### Ratios to the bare node:http baseline of the same family, and the targets',
    '',
    verdictTable(summaries),
    '',
    '### Details',
    '',
    detailsTable(summaries),
    '',
    ...(summaries.some((s) => s.redis)
      ? ['### The Redis broker: two processes on one Redis, against the memory broker', '', redisTable(summaries), '']
      : []),
    ...(redisLog === undefined
      ? []
      : ['### The Redis log: publishes per second one redis-server takes', '', typeof redisLog === 'string' ? redisLog : logTable(redisLog), '']),
  ];
  const tables = out.join('\n');
  process.stdout.write(tables);
  if (options.markdown) writeFileSync(options.markdown, tables);
  if (options.charts) writeCharts(options.charts, summaries);
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, JSON.stringify({ sizes, reps, seconds, machine, skipped, summaries, runs, pids: startedPids }, null, 2));
  }
}

/** The charts RESULTS.md shows (bench/charts/): S2 p99, S3 deliveries/s and S1 memory per target. */
function writeCharts(charts: string, summaries: Summary[]): void {
  mkdirSync(charts, { recursive: true });
  const bars = (pick: (s: Summary) => number | undefined) => summaries.map((s) => ({ label: s.name, value: pick(s), kind: s.kind }));
  writeFileSync(`${charts}/s2-p99.svg`, barChart('S2 latency p99 (publish to arrival; shorter is better)', 'ms', bars((s) => s.p99)));
  writeFileSync(`${charts}/s3-throughput.svg`, barChart('S3 deliveries per second (longer is better)', '/s', bars((s) => s.deliveriesPerSec)));
  writeFileSync(`${charts}/s1-memory.svg`, barChart('S1 memory per idle connection, RSS (shorter is better)', 'KB', bars((s) => (s.rssPerConn === undefined ? undefined : s.rssPerConn / 1024))));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
