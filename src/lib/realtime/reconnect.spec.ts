import { describe, expect, it } from 'vitest';
import { backoffDelay } from './reconnect';

describe('backoffDelay', () => {
	it('doubles from 1 s to a 30 s cap, without jitter', () => {
		const delays = Array.from({ length: 8 }, (_, i) => backoffDelay(i, { jitter: 0 }));
		expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
		expect(backoffDelay(1_000, { jitter: 0 })).toBe(30_000);
	});

	it('draws each wait within ±50 % of its nominal value by default, never above the cap', () => {
		expect(backoffDelay(0, {}, () => 0)).toBe(500);
		expect(backoffDelay(0, {}, () => 0.999_999)).toBe(1_500);
		expect(backoffDelay(3, {}, () => 0)).toBe(4_000);
		expect(backoffDelay(3, {}, () => 0.999_999)).toBe(12_000);
		expect(backoffDelay(5, {}, () => 0)).toBe(15_000);
		expect(backoffDelay(5, {}, () => 0.999_999)).toBe(30_000);
		for (let i = 0; i < 200; i++) {
			const d = backoffDelay(i % 10, { initialDelayMs: 200, maxDelayMs: 5_000 });
			expect(d).toBeGreaterThanOrEqual(100);
			expect(d).toBeLessThanOrEqual(5_000);
		}
	});
});
