// Projects: a folder with project.json, datasets referenced in place, cached thumbnails.
export * from './schema';
export * from './store';
export * from './lock';
export * from './import';
export * from './hash';
export * from './ids';
export * from './thumbnail';
export * from './recent';
export * from './views';
export * from './calibration';
export * from './app-settings';
