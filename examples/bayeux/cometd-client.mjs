// A Node CometD client on the example's Bayeux endpoint: subscribes to /chat/*, says hello, and
// prints what comes (the server's ticker, the page's messages). URL defaults to the example server.
import { adapt } from 'cometd-nodejs-client';
import { CometD, AckExtension } from 'cometd';

adapt();
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/bayeux`;
const cometd = new CometD();
cometd.configure({ url, logLevel: 'warn' });
cometd.unregisterTransport('websocket'); // the endpoint serves long-polling and callback-polling
cometd.registerExtension('ack', new AckExtension()); // no message lost across dropped connects

cometd.handshake((reply) => {
  if (!reply.successful) return console.error('handshake failed:', reply.error);
  console.log(`connected to ${url} as ${reply.clientId}`);
  cometd.subscribe('/chat/*', (message) => console.log(`${message.channel}:`, JSON.stringify(message.data)));
  cometd.publish('/chat/room', { text: 'hello from CometD', from: 'cometd' });
});

process.once('SIGINT', () => cometd.disconnect(() => process.exit(0)));
