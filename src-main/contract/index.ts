// Public entry of the contract: schemas, the method/event table, the client interface, validation.
export * from './schemas';
export * from './domain';
export * from './api';
export * from './client';
export * from './validate';
export * from './http-client';
export * from './calibration';
export * from './runs';
export * from './settings';
export * from './pupil';
