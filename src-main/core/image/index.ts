// Figures for reports and previews: PNG encoding, colour maps, orthogonal views, CLAHE, line plots.
export * from './png';
export * from './colormap';
export * from './clahe';
export * from './orthoviews';
export * from './plot';
