import type { ServerKind } from '@cometkit/core/testing';
import { expressKinds, withCometKind } from '../../../express/test/support/express-kinds';
import { koaKinds } from '../../../koa/test/support/koa-kinds';

/** The adapters' server kinds (from their own test support) the Redis runs of the conformance suite pick from. */
export const serverKinds: readonly ServerKind[] = [...expressKinds, ...koaKinds, withCometKind];
