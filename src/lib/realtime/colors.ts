/** A stable, readable colour per person (contrast ≥ 4.5:1 with white text). */
export function colorFor(userId: string): string {
	let h = 0;
	for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
	const palette = ['#0066cc', '#00734c', '#a61e4d', '#6741d9', '#9c4d00', '#0b7285', '#4a7a0b', '#c2255c', '#364fc7', '#862e9c'];
	return palette[h % palette.length]!;
}

/** A colour from someone else's awareness state, used in a style attribute: only #rrggbb passes. */
export function safeColor(value: unknown): string {
	return typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value) ? value : '#5c6f82';
}

/** A name from someone else's awareness state: a short string, nothing else. */
export function safeName(value: unknown): string {
	return typeof value === 'string' ? value.slice(0, 80) : '?';
}
