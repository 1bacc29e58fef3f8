import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	from: string | null;
	to: string[];
	raw: string;
}

export interface TestSmtpServer {
	url: string;
	port: number;
	received: ReceivedMail[];
	close(): Promise<void>;
}

/** A real SMTP server in this process: 127.0.0.1, random port, no auth, no TLS. */
export async function startSmtpServer(opts: { rejectRcpt?: (address: string) => string | null } = {}): Promise<TestSmtpServer> {
	const received: ReceivedMail[] = [];
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['AUTH', 'STARTTLS'],
		logger: false,
		onRcptTo(address, _session, callback) {
			const refusal = opts.rejectRcpt?.(address.address);
			if (!refusal) return callback();
			const err = new Error(refusal) as Error & { responseCode: number };
			err.responseCode = 550;
			callback(err);
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', () => {
				received.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
					to: session.envelope.rcptTo.map((r) => r.address),
					raw: Buffer.concat(chunks).toString('utf8')
				});
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as AddressInfo).port;
	return {
		url: `smtp://127.0.0.1:${port}`,
		port,
		received,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
	const s = net.createServer();
	await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
	const port = (s.address() as AddressInfo).port;
	await new Promise<void>((resolve) => s.close(() => resolve()));
	return port;
}

export interface MimePart {
	headers: Record<string, string>;
	/** The decoded body (base64 and quoted-printable undone), as UTF-8 text. */
	body: string;
}

/** The leaf parts of a MIME message: enough to look at what a mail client would see. */
export function mimeParts(raw: string): MimePart[] {
	const [head, ...rest] = raw.split(/\r?\n\r?\n/);
	const body = rest.join('\r\n\r\n');
	const headers = parseHeaders(head ?? '');
	const type = headers['content-type'] ?? 'text/plain';
	const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
	if (/^multipart\//i.test(type) && boundary) {
		const parts = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?\\r?\\n?`));
		return parts.slice(1).filter((p) => p.trim() !== '').flatMap((p) => mimeParts(p));
	}
	return [{ headers, body: decode(body, headers['content-transfer-encoding']) }];
}

function parseHeaders(block: string): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const i = line.indexOf(':');
		if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
	}
	return headers;
}

function decode(body: string, encoding = '7bit'): string {
	if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	if (/quoted-printable/i.test(encoding))
		return Buffer.from(
			body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
			'latin1'
		).toString('utf8');
	return body;
}
