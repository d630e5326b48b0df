// Colours shared by every plot (image/svg-plot.ts draws them): the Tableau 10 palette (matplotlib's default
// cycle), distinct for the usual colour-vision deficiencies in its first few entries.
export const PALETTE: [number, number, number][] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [255, 127, 14],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
];
