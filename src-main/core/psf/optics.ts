// Scalar diffraction integrals behind the widefield PSF models. Both are
//   I(r, z) = | ∫_0^a J0(k·NA·r·ρ) · exp(i·W(ρ, z)) · ρ dρ |²,   k = 2π/λ,
// with the pupil phase W of Born & Wolf (paraxial defocus) or Gibson & Lanni (optical path
// difference through immersion, coverslip and sample layers). Lengths are in µm.

export interface OpticsParams {
  /** Numerical aperture of the objective. */
  na: number;
  /** Wavelength in µm (emission for widefield). */
  wavelength: number;
  /** Refractive index of the immersion medium (actual, and design value ni0). */
  ni: number;
  ni0?: number;
  /** Refractive index of the sample. */
  ns: number;
  /** Coverslip index and thickness, actual and design (µm). */
  ng?: number;
  ng0?: number;
  tg?: number;
  tg0?: number;
  /** Working distance of the immersion layer as designed (µm). */
  ti0?: number;
  /** Depth of the emitter below the coverslip (µm). */
  particleDepth?: number;
}

export type PsfModel = 'born-wolf' | 'gibson-lanni';

/** Bessel J0, rational/asymptotic approximation (absolute error < 1e-8). */
export function besselJ0(x: number): number {
  const ax = Math.abs(x);
  if (ax < 8) {
    const y = x * x;
    const a1 =
      57568490574.0 +
      y * (-13362590354.0 + y * (651619640.7 + y * (-11214424.18 + y * (77392.33017 + y * -184.9052456))));
    const a2 = 57568490411.0 + y * (1029532985.0 + y * (9494680.718 + y * (59272.64853 + y * (267.8532712 + y))));
    return a1 / a2;
  }
  const z = 8 / ax,
    y = z * z,
    xx = ax - 0.785398164;
  const b1 = 1 + y * (-0.1098628627e-2 + y * (0.2734510407e-4 + y * (-0.2073370639e-5 + y * 0.2093887211e-6)));
  const b2 =
    -0.1562499995e-1 + y * (0.1430488765e-3 + y * (-0.6911147651e-5 + y * (0.7621095161e-6 - y * 0.934935152e-7)));
  return Math.sqrt(0.636619772 / ax) * (Math.cos(xx) * b1 - z * Math.sin(xx) * b2);
}

// 8-point Gauss–Legendre nodes/weights on [-1, 1].
const GL_X = [
  -0.9602898564975363, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498,
  0.525532409916329, 0.7966664774136267, 0.9602898564975363,
];
const GL_W = [
  0.1012285362903763, 0.2223810344533745, 0.31370665539623, 0.362683783378362, 0.362683783378362, 0.31370665539623,
  0.2223810344533745, 0.1012285362903763,
];

/** Upper limit of the normalised pupil radius: rays beyond the smallest index are evanescent (as in MicroscPSF / Li et al.). */
export function pupilLimit(model: PsfModel, p: OpticsParams): number {
  if (model === 'born-wolf') return 1;
  const g = withDefaults(p);
  return Math.min(1, Math.min(g.na, g.ns, g.ni, g.ni0, g.ng, g.ng0) / g.na);
}

type FullParams = Required<OpticsParams>;
export function withDefaults(p: OpticsParams): FullParams {
  return {
    na: p.na,
    wavelength: p.wavelength,
    ni: p.ni,
    ns: p.ns,
    ni0: p.ni0 ?? p.ni,
    ng: p.ng ?? 1.5,
    ng0: p.ng0 ?? p.ng ?? 1.5,
    tg: p.tg ?? 170,
    tg0: p.tg0 ?? p.tg ?? 170,
    ti0: p.ti0 ?? 150,
    particleDepth: p.particleDepth ?? 0,
  };
}

/** Pupil phase W(ρ, z) in radians; z is the defocus (stage position relative to focus), µm. */
export function pupilPhase(model: PsfModel, p: OpticsParams, rho: number, z: number): number {
  const k = (2 * Math.PI) / p.wavelength;
  const s = p.na * rho;
  if (model === 'born-wolf') return (-0.5 * k * z * s * s) / p.ni;
  const g = withDefaults(p);
  const root = (n: number) => Math.sqrt(Math.max(0, n * n - s * s));
  const opd =
    g.particleDepth * root(g.ns) +
    (z + g.ti0) * root(g.ni) -
    g.ti0 * root(g.ni0) +
    g.tg * root(g.ng) -
    g.tg0 * root(g.ng0);
  return k * opd;
}

/** Quadrature nodes on [0, a] fine enough for radii up to rMax and defocus up to zMax. */
export function quadratureNodes(
  model: PsfModel,
  p: OpticsParams,
  rMax: number,
  zMax: number,
): { rho: Float64Array; weight: Float64Array } {
  const a = pupilLimit(model, p);
  const k = (2 * Math.PI) / p.wavelength;
  // Oscillations of J0 plus the phase range across the pupil, ~π per panel, at least 8 panels.
  const phaseSpan =
    Math.abs(pupilPhase(model, p, a, zMax) - pupilPhase(model, p, 0, zMax)) +
    Math.abs(pupilPhase(model, p, a, 0) - pupilPhase(model, p, 0, 0));
  const panels = Math.max(8, Math.ceil((k * p.na * rMax * a + phaseSpan) / Math.PI) + 4);
  const rho = new Float64Array(panels * 8),
    weight = new Float64Array(panels * 8);
  const h = a / panels;
  for (let i = 0; i < panels; i++)
    for (let j = 0; j < 8; j++) {
      rho[i * 8 + j] = h * (i + 0.5 + 0.5 * GL_X[j]!);
      weight[i * 8 + j] = 0.5 * h * GL_W[j]!;
    }
  return { rho, weight };
}

/** I(r, z) for single points (used by tests and small evaluations). */
export function psfIntensity(model: PsfModel, p: OpticsParams, r: number, z: number): number {
  const { rho, weight } = quadratureNodes(model, p, Math.abs(r), Math.abs(z));
  const k = (2 * Math.PI) / p.wavelength;
  let sr = 0,
    si = 0;
  for (let i = 0; i < rho.length; i++) {
    const w = weight[i]! * rho[i]! * besselJ0(k * p.na * r * rho[i]!);
    const ph = pupilPhase(model, p, rho[i]!, z);
    sr += w * Math.cos(ph);
    si += w * Math.sin(ph);
  }
  return sr * sr + si * si;
}
