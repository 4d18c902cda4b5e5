import type { ServerKind } from '@cometkit/core/testing';
import { expressKinds, withCometKind } from '../../packages/express/test/support/express-kinds';
import { koaKinds } from '../../packages/koa/test/support/koa-kinds';

/** Every server kind the cross-package tests run on: Express 4 and 5, Koa 2 and 3, then withComet. */
export const serverKinds: readonly ServerKind[] = [...expressKinds, ...koaKinds, withCometKind];
