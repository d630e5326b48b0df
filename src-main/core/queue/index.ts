// The batch queue: JobQueue interface, the local implementation, its journal.
export * from './types';
export * from './journal';
export * from './local';
