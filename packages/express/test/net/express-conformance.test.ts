import { describeConformance, drivers } from '@cometkit/core/testing';
import { expressKinds } from '../support/express-kinds';

// Every built-in transport, and every rule of the HTTP routes, on cometExpress in Express 4 and 5.
describeConformance({ kinds: expressKinds, drivers });
