import { defineConfig, type Options } from 'tsup';
import base from '../../tsup.base';

// Two entries: the package, and `@cometkit/core/testing` (the contracts, as runner-neutral audits).
export default defineConfig({ ...(base as Options), entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' } });
