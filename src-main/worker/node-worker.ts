// Entry of the job worker under plain Node worker_threads (filled in by the services issue).
export {};
