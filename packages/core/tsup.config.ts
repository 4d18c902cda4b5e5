import { defineConfig, type Options } from 'tsup';
import base from '../../tsup.base';

// Three entries: the application API, `@cometkit/core/kit` (what entry points are built from),
// and `@cometkit/core/testing` (the contracts, as runner-neutral audits).
// Splitting for CommonJS too: the entries share one copy of the core (one CometError class, one
// set of caches), as the ESM build does.
export default defineConfig({ ...(base as Options), entry: { index: 'src/index.ts', kit: 'src/kit.ts', testing: 'src/testing/index.ts' }, splitting: true });
