// The batch queue on Redis (BullMQ): a JobQueue for `serve --queue` and the worker of `cycledecon worker`.
export * from './client';
export * from './store';
export * from './queue';
export * from './queue-worker';
export * from './probe';
