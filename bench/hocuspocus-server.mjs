// The peer for `npm run bench:collab`: a plain Hocuspocus server (in memory, no extensions: nothing
// is stored). Per update it answers the author with SyncStatus (the bench's ack) and sends the update
// to every connection of the document, the author included.
import { Server } from '@hocuspocus/server';

const port = Number(process.env.PORT ?? 4500);
const server = new Server({ port, address: '127.0.0.1', quiet: true });
await server.listen();
console.log(`hocuspocus listening on ${port}`);
process.on('SIGTERM', async () => {
	await server.destroy();
	process.exit(0);
});
