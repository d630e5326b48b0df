// 3D real FFT benchmark: our mixed-radix/Bluestein rfft3d vs fft.js (radix-4, powers of two only)
// driven through the same row-pair x pass and y/z line passes. Run: npx tsx bench/fft.ts
import FFT from 'fft.js';
import { rfft3d } from '../src-main/core/fft/fft3d';

type S3 = [number, number, number];

/** Forward 3D FFT of a real volume with fft.js for every 1D line (full complex spectrum, interleaved). */
function fftjs3d(data: Float32Array, [nz, ny, nx]: S3): Float64Array {
  const n = nz * ny * nx,
    out = new Float64Array(2 * n);
  const pass = (len: number, count: number, index: (line: number, i: number) => number, real: boolean) => {
    const f = new FFT(len),
      inp = f.createComplexArray() as number[],
      res = f.createComplexArray() as number[];
    const rin = new Array<number>(len);
    for (let l = 0; l < count; l++) {
      if (real) {
        for (let i = 0; i < len; i++) rin[i] = data[index(l, i)]!;
        f.realTransform(res, rin);
        f.completeSpectrum(res);
      } else {
        for (let i = 0; i < len; i++) {
          const j = index(l, i);
          inp[2 * i] = out[2 * j]!;
          inp[2 * i + 1] = out[2 * j + 1]!;
        }
        f.transform(res, inp);
      }
      for (let i = 0; i < len; i++) {
        const j = index(l, i);
        out[2 * j] = res[2 * i]!;
        out[2 * j + 1] = res[2 * i + 1]!;
      }
    }
  };
  pass(nx, nz * ny, (l, i) => l * nx + i, true);
  pass(ny, nz * nx, (l, i) => (Math.floor(l / nx) * ny + i) * nx + (l % nx), false);
  pass(nz, ny * nx, (l, i) => i * ny * nx + l, false);
  return out;
}

function time(fn: () => void, reps: number): number {
  fn();
  const t = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t) / reps;
}

const sizes: S3[] = [
  [64, 64, 64],
  [32, 256, 256],
  [60, 100, 100],
  [35, 512, 512],
];
console.log('size            ours rfft3d (ms)   fft.js (ms)');
for (const s of sizes) {
  const data = new Float32Array(s[0] * s[1] * s[2]).map(() => Math.random());
  const reps = s[0] * s[1] * s[2] > 4e6 ? 1 : 3;
  const ours = time(() => rfft3d(data, s), reps);
  const pow2 = s.every((n) => (n & (n - 1)) === 0);
  const theirs = pow2 ? time(() => fftjs3d(data, s), reps).toFixed(1) : 'n/a (not 2^k)';
  console.log(`${s.join('×').padEnd(16)}${ours.toFixed(1).padStart(12)}   ${theirs.padStart(14)}`);
}
