import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// The built packages (the test command builds them first) load through their `exports` maps,
// both as ES modules and as CommonJS, from outside the repo's sources.
const root = join(__dirname, '..');
const node = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe.each(['core', 'express', 'koa'])('@cometkit/%s as published', (name) => {
  const entry = {
    core: 'createComet',
    express: 'cometExpress',
    koa: 'cometKoa',
  }[name]!;

  it('loads with require()', () => {
    expect(node(['-e', `process.stdout.write(typeof require('@cometkit/${name}').${entry})`])).toBe('function');
  });

  it('loads with import', () => {
    const code = `import('@cometkit/${name}').then((m) => process.stdout.write(typeof m.${entry}))`;
    expect(node(['--input-type=module', '-e', code])).toBe('function');
  });
});
