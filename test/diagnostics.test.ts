import http from 'node:http';
import { createComet, withComet, type CometLogger } from '@cometkit/core';
import { createLog } from '@cometkit/core/kit';
import { listen, request } from '@cometkit/core/testing';

function recordingLogger(): CometLogger & { lines: unknown[][] } {
  const lines: unknown[][] = [];
  return { lines, debug: (...args) => lines.push(['debug', ...args]), error: (...args) => lines.push(['error', ...args]) };
}

describe('createLog', () => {
  it('goes through a configured logger, prefixed with its cometkit namespace', () => {
    const logger = recordingLogger();
    const log = createLog('broker', logger);
    log.debug('read %d', 3);
    log.error('failed', 'why');
    expect(logger.lines).toEqual([
      ['debug', 'cometkit:broker read %d', 3],
      ['error', 'cometkit:broker failed', 'why'],
    ]);
  });

  it('is silent by default for debug lines, and reports errors on console.error', () => {
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const stderr = jest.spyOn(process.stderr, 'write');
    try {
      const log = createLog('quiet');
      log.debug('not shown');
      expect(stderr).not.toHaveBeenCalled();
      log.error('shown');
      expect(consoleError).toHaveBeenCalledWith('cometkit:quiet shown');
    } finally {
      consoleError.mockRestore();
      stderr.mockRestore();
    }
  });
});

it('withComet reports a bug through the hub logger and answers 500', async () => {
  const logger = recordingLogger();
  const hub = createComet({ logger });
  const broken = { handle: () => Promise.reject(new Error('bug')), options: hub.options };
  const server = await listen(http.createServer(withComet(broken, '/comet', (_req, res) => res.end())));
  try {
    const res = await request(`${server.mount}/poll`);
    expect(res.status).toBe(500);
    expect(res.json().error.code).toBe('internal');
    expect(logger.lines).toEqual([['error', 'cometkit:node unexpected error', expect.objectContaining({ message: 'bug' })]]);
  } finally {
    await hub.close();
    await server.close();
  }
});
