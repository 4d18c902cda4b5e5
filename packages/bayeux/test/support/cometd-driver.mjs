// Drives a real CometD client (cometd + cometd-nodejs-client) in its own process: commands come
// as JSON lines on stdin, events go out as JSON lines on stdout. Its own process because both
// packages are ES modules that install a global `window`, which must not leak into other tests.
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { createInterface } from 'node:readline';
import vm from 'node:vm';

// cometd-nodejs-client 2.0.0 appends Buffers to a string (`responseText += chunk`), corrupting a
// multi-byte character split across two reads: decode responses as UTF-8 before it sees them.
const request = http.request;
http.request = function patched(...args) {
  const req = request.apply(this, args);
  req.on('response', (res) => res.setEncoding('utf8'));
  return req;
};
syncBuiltinESMExports();

const { adapt } = await import('cometd-nodejs-client');
adapt();
const { CometD, AckExtension } = await import('cometd');

// callback-polling loads `<script src>` elements: fetch the script and run it against `window`.
const head = {
  appendChild(script) {
    const failed = () => script.onerror?.({ type: 'error' });
    http
      .get(script.src, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => {
          if (res.statusCode !== 200 || !/javascript/.test(res.headers['content-type'] ?? '')) return failed();
          try {
            vm.runInContext(body, context);
          } catch {
            failed();
          }
        });
      })
      .on('error', failed);
  },
  removeChild() {},
};
window.document = { getElementsByTagName: () => [head], createElement: () => ({}) };
const context = vm.createContext(window);

const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const cometd = new CometD();
const subscriptions = new Map();

const commands = {
  configure({ url, ack, transport, maxMessageSize, backoff }) {
    cometd.configure({ url, logLevel: 'warn', maxSendBayeuxMessageSize: maxMessageSize ?? 8192, backoffIncrement: backoff ?? 1000 });
    // One transport each, so a test knows which it runs on (cometd-nodejs-client gives CometD `ws` as its WebSocket).
    if (transport === 'websocket') {
      cometd.unregisterTransport('long-polling');
      cometd.unregisterTransport('callback-polling');
    } else {
      cometd.unregisterTransport('websocket');
      if (transport === 'callback-polling') cometd.unregisterTransport('long-polling');
    }
    if (ack) cometd.registerExtension('ack', new AckExtension());
    cometd.addListener('/meta/handshake', (m) => emit({ event: 'handshake', successful: m.successful, clientId: m.clientId, ext: m.ext ?? null }));
    cometd.addListener('/meta/connect', (m) => emit({ event: 'connect', successful: m.successful, error: m.error ?? null, ext: m.ext ?? null }));
    return { transport: cometd.getTransportTypes() };
  },
  handshake: () => new Promise((resolve) => cometd.handshake((m) => resolve({ successful: m.successful, clientId: m.clientId ?? null, transport: cometd.getTransport()?.type ?? null }))),
  subscribe: ({ channel }) =>
    new Promise((resolve) => {
      const handle = cometd.subscribe(channel, (m) => emit({ event: 'message', subscription: channel, channel: m.channel, data: m.data, keys: Object.keys(m) }), (m) =>
        resolve({ successful: m.successful, error: m.error ?? null }),
      );
      subscriptions.set(channel, handle);
    }),
  unsubscribe: ({ channel }) =>
    new Promise((resolve) => cometd.unsubscribe(subscriptions.get(channel), (m) => resolve({ successful: m.successful }))),
  publish: ({ channel, data }) =>
    new Promise((resolve) => {
      try {
        cometd.publish(channel, data, (m) => resolve({ successful: m.successful, error: m.error ?? null }));
      } catch (error) {
        resolve({ successful: false, error: String(error.message ?? error), thrown: true });
      }
    }),
  disconnect: () => new Promise((resolve) => cometd.disconnect(() => resolve({ status: cometd.getStatus() }))),
  status: () => ({ status: cometd.getStatus(), clientId: cometd.getClientId() ?? null }),
};

for await (const line of createInterface({ input: process.stdin })) {
  const { seq, op, ...args } = JSON.parse(line);
  Promise.resolve(commands[op](args)).then(
    (result) => emit({ event: 'result', seq, result }),
    (error) => emit({ event: 'result', seq, error: String(error?.stack ?? error) }),
  );
}
process.exit(0);
