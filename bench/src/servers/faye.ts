/**
 * Peer: Faye (Bayeux) on `/faye`, long-polling. Subscribers are counted from Faye's own
 * `subscribe`/`unsubscribe` events; a publish goes through Faye's in-process server client.
 */
import http from 'node:http';
import faye from 'faye';
import { runServer } from './harness';

const bayeux = new faye.NodeAdapter({ mount: '/faye', timeout: 25 });
let subscriptions = 0;
bayeux.on('subscribe', () => subscriptions++);
bayeux.on('unsubscribe', () => subscriptions--);

const server = http.createServer((_req, res) => res.writeHead(404).end());
bayeux.attach(server);
const client = bayeux.getClient();
// The in-process client handshakes on first use; do that now, outside every measurement.
await client.publish('/bench/warm', null);

await runServer(server, {
  held: () => subscriptions,
  publish: (message) => client.publish('/bench/feed', message),
});
