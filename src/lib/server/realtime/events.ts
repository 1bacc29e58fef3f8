export * from '$lib/realtime/events';
