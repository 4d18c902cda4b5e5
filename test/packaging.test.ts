import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The built packages (the test command builds them first) load through their `exports` maps,
// both as ES modules and as CommonJS, from outside the repo's sources.
const root = join(__dirname, '..');
const node = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe.each(['protocol', 'core', 'express', 'koa', 'client', 'redis', 'bayeux', 'ws'])('@cometkit/%s as published', (name) => {
  const entry = {
    protocol: 'parseCursor',
    core: 'createComet',
    express: 'cometExpress',
    koa: 'cometKoa',
    client: 'createClient',
    redis: 'createRedisBroker',
    bayeux: 'createBayeux',
    ws: 'attachWebSocket',
  }[name]!;

  it('loads with require()', () => {
    expect(node(['-e', `process.stdout.write(typeof require('@cometkit/${name}').${entry})`])).toBe('function');
  });

  it('loads with import', () => {
    const code = `import('@cometkit/${name}').then((m) => process.stdout.write(typeof m.${entry}))`;
    expect(node(['--input-type=module', '-e', code])).toBe('function');
  });
});

// The built core finds the built browser client (through `@cometkit/client/script`) from either format.
describe('client.js from the built core', () => {
  const serve = `.handle({ method: 'GET', path: '/client.js', query: new URLSearchParams(), params: {}, header: () => undefined, raw: null })
    .then((r) => process.stdout.write(r.status + ' ' + (String(r.body).indexOf('var cometkit=') >= 0)))`;

  it('with require()', () => {
    expect(node(['-e', `require('@cometkit/core').createComet()${serve}`])).toBe('200 true');
  });

  it('with import', () => {
    expect(node(['--input-type=module', '-e', `import { createComet } from '@cometkit/core'; createComet()${serve}`])).toBe('200 true');
  });
});

// Every file the client's exports name exists, every export has types, and CommonJS gets `.d.cts`
// (a `.d.ts` in this ESM package would claim ESM to a CommonJS importer).
describe('the client package exports', () => {
  const dir = join(root, 'packages/client');
  const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  type Conditions = { types?: string; default?: string; import?: Conditions; require?: Conditions };

  it.each(Object.entries(exports).filter(([key]) => key !== './package.json'))('%s', (_key, target) => {
    const conditions = target as Conditions;
    const leaves = conditions.import && conditions.require ? [conditions.import, conditions.require] : [conditions];
    for (const leaf of leaves) {
      for (const file of [leaf.types, leaf.default]) expect(file !== undefined && existsSync(join(dir, file))).toBe(true);
    }
    if (conditions.require) expect(conditions.require.types).toMatch(/\.d\.cts$/);
  });
});

// What a registry page and a user's license scanner read.
describe.each(['core', 'express', 'koa', 'client', 'protocol', 'redis', 'ws', 'bayeux'])('@cometkit/%s metadata', (name) => {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it('ships the MIT LICENSE of the repository and says where the source and issues are', () => {
    expect(pkg.license).toBe('MIT');
    expect(pkg.files).toContain('LICENSE');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    expect(pkg.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\//), directory: `packages/${name}` });
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs.url).toMatch(/^https:\/\/.*\/issues$/);
  });
});
