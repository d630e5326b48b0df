// Seeded random numbers (the engine's mulberry32, one implementation) and the noise models used by the simulator.
import { Rng as Mulberry32 } from '../train/rng';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  normal(): number;
  poisson(lambda: number): number;
}

export function createRng(seed: number): Rng {
  const gen = new Mulberry32(seed);
  const next = () => gen.next();
  const normal = () => {
    const u = Math.max(next(), 1e-300),
      v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const poisson = (lambda: number) => {
    if (!(lambda > 0)) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal())); // normal approximation
    const l = Math.exp(-lambda);
    let k = 0,
      p = next();
    while (p > l) {
      k++;
      p *= next();
    }
    return k;
  };
  return { next, normal, poisson };
}
