/**
 * node bench/perf-map.mjs PID — makes /tmp/perf-PID.map (written by a server started with
 * `--perf-basic-prof`) say what was at each address last, for `perf report` / `perf script`.
 *
 * V8 moves and re-compiles code during a run (baseline, then optimized, GC compaction), and the map
 * gets one line per code object ever created: later code often lands where earlier code was. perf
 * takes the first matching line, so late samples are credited to whatever lived at that address
 * first (in one profile `onUpdate` showed up as "URL"). Reading the lines from the last, this keeps a
 * line only if no later line overlaps its range, and rewrites the file in place (a copy is kept as
 * .orig). Run it after `perf record` and before `perf report`.
 *
 * Profiling a benchmark server (pinned to one core, so `--cpu-prof`'s sampler thread competes with
 * the main thread and misses its samples: use perf instead):
 *   BENCH_NODE_ARGS=--perf-basic-prof npm run bench:collab -- --only intarsi --rounds 1 --duration 40 &
 *   perf record -F 2000 -g -p $(pgrep -f build/server.js) -o /tmp/perf.data -- sleep 12
 *   node bench/perf-map.mjs <that pid> && perf report -i /tmp/perf.data --no-children --sort sym
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';

const pid = process.argv[2];
if (!pid || !/^\d+$/.test(pid)) {
	console.error('usage: node bench/perf-map.mjs PID');
	process.exit(2);
}
const file = `/tmp/perf-${pid}.map`;
const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
/** Kept ranges, sorted by start: [start, end, line]. */
const kept = [];
const firstAfter = (start) => {
	let lo = 0;
	let hi = kept.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (kept[mid][0] < start) lo = mid + 1;
		else hi = mid;
	}
	return lo;
};
for (let i = lines.length - 1; i >= 0; i--) {
	const [addr, size] = lines[i].split(' ', 2);
	const start = parseInt(addr, 16);
	const end = start + parseInt(size, 16);
	const at = firstAfter(start);
	if (at < kept.length && kept[at][0] < end) continue;
	if (at > 0 && kept[at - 1][1] > start) continue;
	kept.splice(at, 0, [start, end, lines[i]]);
}
copyFileSync(file, `${file}.orig`);
writeFileSync(file, kept.map((k) => k[2]).join('\n') + '\n');
console.log(`${file}: ${lines.length} lines, ${kept.length} kept (the last code at each address)`);
