import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../bench/src/harness/report';

// The benchmark harness end to end, tiny: the driver (bench/src/harness/driver.ts, under tsx) starts a
// cometkit server (built packages) and a load client per scenario, 20 subscribers, 20 messages.
// It proves the harness works: every delivery counted, none missed or repeated, and every
// process it started gone afterwards. No timing is asserted.
const benchDir = join(__dirname, '..', 'bench');
const TARGETS = ['cometkit express poll', 'cometkit express sse', 'cometkit withComet ws'];
// The Redis targets' control (S2 and S3 only): two processes, a memory broker each, every publish
// posted to both, each subscriber starting from its own process's cursor.
const COPIES = 'cometkit express sse (memory, 2 processes)';
// --targets splits on commas: this word picks the control alone.
const COPIES_WORD = 'express sse (memory';

interface RunFile {
  summaries: Summary[];
  pids: number[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('bench harness (tiny run)', () => {
  let run: RunFile;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cometkit-bench-'));
    const json = join(dir, 'run.json');
    const args = ['--import', 'tsx', 'src/harness/driver.ts', '--tiny', '--targets', [...TARGETS, COPIES_WORD].join(','), '--json', json];
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: benchDir, timeout: 150_000 }, (error, _stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
      );
    });
    run = JSON.parse(readFileSync(json, 'utf8')) as RunFile;
  }, 160_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(TARGETS)('%s: every message reaches every subscriber once and in order', (name) => {
    const summary = run.summaries.find((s) => s.name === name);
    expect(summary).toBeDefined();
    expect(summary!.errors).toEqual([]);
    const { expected, delivered, missed, duplicated, outOfOrder, unexpected } = summary!.integrity;
    expect(expected).toBeGreaterThan(0);
    expect({ delivered, missed, duplicated, outOfOrder, unexpected }).toEqual({ delivered: expected, missed: 0, duplicated: 0, outOfOrder: 0, unexpected: 0 });
    expect(summary!.leaks).toBe(0);
  });

  it(`${COPIES}: every subscriber gets every message once, in order, with no gap`, () => {
    const summary = run.summaries.find((s) => s.name === COPIES);
    expect(summary?.errors).toEqual([]);
    const { expected, delivered, missed, duplicated, outOfOrder, unexpected, gaps } = summary!.integrity;
    expect(expected).toBeGreaterThan(0);
    expect({ delivered, missed, duplicated, outOfOrder, unexpected, gaps }).toEqual({ delivered: expected, missed: 0, duplicated: 0, outOfOrder: 0, unexpected: 0, gaps: 0 });
  });

  it('leaves no process behind', () => {
    // A probe server, then a server, a load client and the HTTP publisher for each of 4 scenarios
    // of each target; two servers, the client and the publisher for S2 and S3 of the control.
    expect(run.pids.length).toBe(1 + TARGETS.length * 4 * 3 + 2 * 4);
    expect(run.pids.filter(alive)).toEqual([]);
  });
});
