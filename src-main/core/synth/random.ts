// Seeded random numbers (mulberry32) and the noise models used by the simulator.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  normal(): number;
  poisson(lambda: number): number;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = Math.max(next(), 1e-300), v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const poisson = (lambda: number) => {
    if (!(lambda > 0)) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal())); // normal approximation
    const l = Math.exp(-lambda);
    let k = 0, p = next();
    while (p > l) { k++; p *= next(); }
    return k;
  };
  return { next, normal, poisson };
}
