/**
 * `io()` for every Socket.IO client of the hub (browser connections, tests, benchmarks): the
 * standard client with the hub's parser (`./parser`: binary packets in one frame), which the
 * server requires, announced by its version (`wire` in the handshake's query). Both browser
 * connections ("/" and "/collab") share one manager, so they must agree on both.
 */
import { io as baseIo, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { parser, WIRE_VERSION } from './parser';

/**
 * Also announces the parser's wire version (the server refuses another one with `outdated`); only
 * tests pass another `wire`, to play a page loaded before a deploy.
 */
export function io(uri: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Socket {
	return baseIo(uri, { ...opts, query: { wire: WIRE_VERSION, ...(opts.query as Record<string, string> | undefined) }, parser });
}
