// Zernike phase modes on the unit pupil in Noll's numbering and normalisation (rms 1 over the unit disc):
// R. J. Noll, "Zernike polynomials and atmospheric turbulence", JOSA 66 (1976) 207, Table 1. The pupil model
// (pupil.ts) uses j = 5…11: astigmatism ×2, coma ×2, trefoil ×2 and primary spherical. Piston (1) is
// invisible in an intensity, tilts (2, 3) are the lateral position and defocus (4) the axial one, which the
// model carries as shifts in µm instead.

export const NOLL_MODES = [5, 6, 7, 8, 9, 10, 11] as const;
export type NollIndex = (typeof NOLL_MODES)[number] | 4;

export const NOLL_NAMES: Record<NollIndex, string> = {
  4: 'defocus',
  5: 'oblique astigmatism',
  6: 'vertical astigmatism',
  7: 'vertical coma',
  8: 'horizontal coma',
  9: 'vertical trefoil',
  10: 'oblique trefoil',
  11: 'primary spherical',
};

/** Z_j(ρ, θ) for Noll index j in 4…11, ρ ≤ 1. */
export function zernike(j: NollIndex, rho: number, theta: number): number {
  const r2 = rho * rho,
    r3 = r2 * rho;
  switch (j) {
    case 4:
      return Math.sqrt(3) * (2 * r2 - 1);
    case 5:
      return Math.sqrt(6) * r2 * Math.sin(2 * theta);
    case 6:
      return Math.sqrt(6) * r2 * Math.cos(2 * theta);
    case 7:
      return Math.sqrt(8) * (3 * r3 - 2 * rho) * Math.sin(theta);
    case 8:
      return Math.sqrt(8) * (3 * r3 - 2 * rho) * Math.cos(theta);
    case 9:
      return Math.sqrt(8) * r3 * Math.sin(3 * theta);
    case 10:
      return Math.sqrt(8) * r3 * Math.cos(3 * theta);
    case 11:
      return Math.sqrt(5) * (6 * r2 * r2 - 6 * r2 + 1);
  }
}
