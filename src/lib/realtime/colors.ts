/** A stable, readable colour per person (contrast ≥ 4.5:1 with white text). */
export function colorFor(userId: string): string {
	let h = 0;
	for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
	const palette = ['#0066cc', '#00734c', '#a61e4d', '#6741d9', '#9c4d00', '#0b7285', '#4a7a0b', '#c2255c', '#364fc7', '#862e9c'];
	return palette[h % palette.length]!;
}
