// What a measured bead stack shows beyond the detection PSF of pupil.ts, as two intensity-space factors
// with exact gradients:
//  - the bead's finite size (and any residual blur): a Gaussian of standard deviation σ_b, isotropic in µm,
//    applied as the filter exp(−2π²σ_b²|f|²) on a zero-padded box (Huygens' PSF distiller divides the bead
//    out the same way, with a sphere);
//  - for light-sheet data, the sheet's axial excitation profile exp(−ω²(z − z0)²/2) multiplying the widefield
//    detection PSF (the system PSF is excitation × detection, as for a confocal PSF).
// Parameters appended to the pupil's 12: 'beadSigma' σ_b (µm) and 'sheet' ω (1/µm; 0: widefield).
import { halfSpectrumSize, irfft3d, nextSmoothSize, rfft3d, type HalfSpectrum } from '../fft';
import { PUPIL_PARAM_COUNT, PUPIL_PARAM_NAMES, PupilPsf, type PupilOptics } from './pupil';

export const BEAD_PARAM_NAMES = [...PUPIL_PARAM_NAMES, 'beadSigma', 'sheet'] as const;
export const BEAD_PARAM_COUNT = BEAD_PARAM_NAMES.length;
const PAD = 4;

export class BeadPsf {
  readonly pupil: PupilPsf;
  private readonly grid: [number, number, number];
  private readonly f2: Float64Array;
  private detection: Float64Array | null = null;
  private envelope: Float64Array | null = null;
  private spectrum: HalfSpectrum<Float64Array> | null = null;
  private theta: number[] = [];

  constructor(readonly optics: PupilOptics) {
    this.pupil = new PupilPsf(optics);
    const s = optics.size;
    this.grid = s.map((n) => nextSmoothSize(n + 2 * PAD)) as [number, number, number];
    const [gz, gy, gx] = this.grid,
      gxh = Math.floor(gx / 2) + 1;
    this.f2 = new Float64Array(halfSpectrumSize(this.grid));
    const freq = (i: number, n: number, d: number) => (i <= n / 2 ? i : i - n) / (n * d);
    for (let z = 0; z < gz; z++)
      for (let y = 0; y < gy; y++)
        for (let x = 0; x < gxh; x++) {
          this.f2[(z * gy + y) * gxh + x] =
            freq(z, gz, optics.dz) ** 2 + freq(y, gy, optics.dxy) ** 2 + freq(x, gx, optics.dxy) ** 2;
        }
  }

  private zOffset(iz: number, z0: number): number {
    return (iz - Math.floor(this.optics.size[0] / 2)) * this.optics.dz - z0;
  }

  private pad(v: Float64Array): Float64Array {
    const [nz, ny, nx] = this.optics.size,
      [, gy, gx] = this.grid;
    const out = new Float64Array(this.grid[0] * gy * gx);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        out.set(v.subarray((z * ny + y) * nx, (z * ny + y + 1) * nx), ((z + PAD) * gy + y + PAD) * gx + PAD);
    return out;
  }

  /** The filter `weight(f²)` applied to a spectrum (copied), back to the box. */
  private filtered(spec: HalfSpectrum<Float64Array>, weight: (f2: number) => number): Float64Array {
    const s: HalfSpectrum<Float64Array> = { ...spec, re: Float64Array.from(spec.re), im: Float64Array.from(spec.im) };
    for (let i = 0; i < s.re.length; i++) {
      const w = weight(this.f2[i]!);
      s.re[i]! *= w;
      s.im[i]! *= w;
    }
    const full = irfft3d(s);
    const [nz, ny, nx] = this.optics.size,
      [, gy, gx] = this.grid,
      out = new Float64Array(nz * ny * nx);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) out[(z * ny + y) * nx + x] = full[((z + PAD) * gy + y + PAD) * gx + x + PAD]!;
    return out;
  }

  forward(theta: readonly number[]): Float64Array {
    this.theta = [...theta];
    const det = this.pupil.forward(theta.slice(0, PUPIL_PARAM_COUNT));
    const [nz, ny, nx] = this.optics.size,
      plane = ny * nx,
      omega = theta[PUPIL_PARAM_COUNT + 1]!;
    const env = Float64Array.from({ length: nz }, (_, iz) =>
      Math.exp(-0.5 * (omega * this.zOffset(iz, theta[2]!)) ** 2),
    );
    const lit = Float64Array.from(det, (v, i) => v * env[Math.floor(i / plane)]!);
    this.detection = det;
    this.envelope = env;
    this.spectrum = rfft3d(this.pad(lit), this.grid);
    const b = theta[PUPIL_PARAM_COUNT]! ** 2;
    return this.filtered(this.spectrum, (f2) => Math.exp(-2 * Math.PI ** 2 * b * f2));
  }

  /** ∂L/∂θ (14 values) for upstream ∂L/∂I at the θ of the last forward(). */
  gradient(dLdI: Float64Array): number[] {
    const theta = this.theta,
      sb = theta[PUPIL_PARAM_COUNT]!,
      b = sb * sb,
      omega = theta[PUPIL_PARAM_COUNT + 1]!;
    const gauss = (f2: number) => Math.exp(-2 * Math.PI ** 2 * b * f2);
    // The filter is real and even, so the blur is self-adjoint (zero padding on both sides).
    const dLit = this.filtered(rfft3d(this.pad(dLdI), this.grid), gauss);
    const dB = this.filtered(this.spectrum!, (f2) => -2 * Math.PI ** 2 * f2 * gauss(f2));
    let gb = 0;
    for (let i = 0; i < dLdI.length; i++) gb += dLdI[i]! * dB[i]!;
    const [nz, ny, nx] = this.optics.size,
      plane = ny * nx,
      det = this.detection!,
      env = this.envelope!;
    const dDet = new Float64Array(det.length);
    let gOmega = 0,
      gZ0 = 0;
    for (let iz = 0; iz < nz; iz++) {
      const dz = this.zOffset(iz, theta[2]!);
      let s = 0;
      for (let p = iz * plane; p < (iz + 1) * plane; p++) {
        dDet[p] = dLit[p]! * env[iz]!;
        s += dLit[p]! * det[p]!;
      }
      s *= env[iz]!; // Σ ∂L/∂lit · det · env on this plane
      gOmega += s * -omega * dz * dz;
      gZ0 += s * omega * omega * dz;
    }
    const g = this.pupil.gradient(dDet);
    g[2]! += gZ0;
    return [...g, gb * 2 * sb, gOmega];
  }
}
