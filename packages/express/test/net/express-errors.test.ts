import { createComet, type CometHub } from '@cometkit/core';
import { cometAnswer, cometExpress } from '@cometkit/express';
import { postJson, request } from '@cometkit/core/testing';
import { expressMajors, withExpressApp } from '../support/express-app';

/** An error middleware that records each error it is handed and answers 599. */
function errorRecorder(seen: string[]): (error: Error, req: unknown, res: { status(code: number): { end(): void } }, next: unknown) => void {
  return (error, _req, res, _next) => {
    seen.push(error.message);
    res.status(599).end();
  };
}

describe.each(expressMajors)('errors on %s', (_name, express) => {
  it("hands an error the hub's hooks throw to the app's error middleware", async () => {
    const seen: string[] = [];
    const hub: CometHub = createComet({
      authorize: (action) => {
        if (action === 'subscribe') throw new Error('bug in authorize');
        return true;
      },
    });
    const build = (app: any): void => void app.use('/comet', cometExpress(hub)).use(errorRecorder(seen));
    await withExpressApp(express, build, async (server) => {
      expect((await request(`${server.mount}/poll?channel=a`)).status).toBe(599);
      expect(seen).toEqual(['bug in authorize']);
    }, hub);
  });

  it('cometAnswer answers a CometError with its status and body, sends a value as JSON, and hands any other error to Express', async () => {
    const seen: string[] = [];
    const build = (app: any, hub: CometHub): void => {
      app.post('/orders/:id/ship', cometAnswer((req) => hub.publish(`orders/${req.params.id}`, { shipped: true })));
      app.post('/broken', cometAnswer(() => Promise.reject(new Error('bug in the handler'))));
      app.use(errorRecorder(seen));
    };
    await withExpressApp(express, build, async (server) => {
      const shipped = await postJson(`${server.origin}/orders/7/ship`, {});
      expect([shipped.status, typeof shipped.json().cursor]).toEqual([200, 'string']);
      const refused = await postJson(`${server.origin}/orders/${encodeURIComponent('a b')}/ship`, {});
      expect([refused.status, refused.json().error.code]).toEqual([400, 'bad_channel']);
      expect((await postJson(`${server.origin}/broken`, {})).status).toBe(599);
      expect(seen).toEqual(['bug in the handler']);
    });
  });
});
