/**
 * `io()` for every Socket.IO client of the hub (browser connections, tests, benchmarks): the
 * standard client with the hub's parser (`./parser`: binary packets in one frame), which the
 * server requires. Both browser connections ("/" and "/collab") share one manager, so they must
 * agree on it.
 */
import { io as baseIo, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { parser } from './parser';

export function io(uri: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Socket {
	return baseIo(uri, { ...opts, parser });
}
