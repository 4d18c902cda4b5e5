import { describeConformance, drivers } from '@cometkit/core/testing';
import { expressKinds, withCometKind } from '../../../express/test/support/express-kinds';
import { koaKinds } from '../../../koa/test/support/koa-kinds';
import { withWebSocket, wsCompactDriver, wsDriver } from '../support/ws-driver';

const kinds = [...expressKinds, ...koaKinds, withCometKind].filter((k) => k.name === 'express5' || k.name === 'koa3' || k.name === 'withComet').map(withWebSocket);

// WebSocket on Express 5, Koa 3 and withComet, with `message` objects and with compact frames (as
// @cometkit/client opens it); it switches to and from SSE and long-poll.
const peers = [wsDriver, wsCompactDriver, ...drivers.filter((d) => d.name === 'sse' || d.name === 'poll')];
describeConformance({ kinds, drivers: [wsDriver, wsCompactDriver], peers });
