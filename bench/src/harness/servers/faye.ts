/**
 * Peer: Faye (Bayeux) on `/faye`, long-polling. Subscribers are counted from Faye's own
 * `subscribe`/`unsubscribe` events; a publish goes through Faye's in-process server client.
 */
import http from 'node:http';
import faye from 'faye';
import { PUBLISH_PATH, publishRoute, runServer, type BenchMessage } from './target-server';

const bayeux = new faye.NodeAdapter({ mount: '/faye', timeout: 25 });
let subscriptions = 0;
bayeux.on('subscribe', () => subscriptions++);
bayeux.on('unsubscribe', () => subscriptions--);

let client: ReturnType<typeof bayeux.getClient>;
const publish = (message: BenchMessage): unknown => client.publish('/bench/feed', message);
const publishHandler = publishRoute(publish);
const server = http.createServer((req, res) => (req.method === 'POST' && req.url === PUBLISH_PATH ? publishHandler(req, res) : res.writeHead(404).end()));
bayeux.attach(server);
client = bayeux.getClient();
// The in-process client handshakes on first use; do that now, outside every measurement.
await client.publish('/bench/warm', null);

await runServer(server, {
  held: () => subscriptions,
  publish,
});
