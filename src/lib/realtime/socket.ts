/** The browser's one Socket.IO connection to the "/" namespace (presence, live refresh). */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export type RootSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let socket: RootSocket | null = null;

export function getSocket(): RootSocket {
	socket ??= io({ transports: ['websocket', 'polling'], withCredentials: true, reconnectionDelay: 500, reconnectionDelayMax: 4_000, timeout: 5_000 });
	return socket;
}
