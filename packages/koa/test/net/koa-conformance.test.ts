import { describeConformance, drivers } from '@cometkit/core/testing';
import { koaKinds } from '../support/koa-kinds';

// Every built-in transport, and every rule of the HTTP routes, on cometKoa in Koa 2 and 3.
describeConformance({ kinds: koaKinds, drivers });
