import { defineConfig, type Options } from 'tsup';
import base from '../../tsup.base';

// The shared build, for browsers' bundlers as well as Node: ES2020, as the client is.
export default defineConfig({ ...(base as Options), target: 'es2020' });
