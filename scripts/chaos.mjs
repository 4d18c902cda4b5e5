#!/usr/bin/env node
// `pnpm chaos`: the reliability suite at full size (CHAOS=full; CHAOS=medium for a shorter run),
// in one jest process so its figures land in RELIABILITY.md between the chaos markers.
// Replay a run with CHAOS_SEED=<the seed it printed>.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const jest = require.resolve('jest/bin/jest');
const mode = process.env.CHAOS === 'medium' ? 'medium' : 'full';
const result = spawnSync(
  process.execPath,
  ['--expose-gc', jest, '--runInBand', '--testTimeout=600000', 'test/reliability.test.ts'],
  { stdio: 'inherit', env: { ...process.env, CHAOS: mode } },
);
process.exit(result.status ?? 1);
