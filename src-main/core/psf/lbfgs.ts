// Small dense optimisation helpers for the PSF fits: limited-memory BFGS with a backtracking (Armijo) line
// search (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 and 3.1), and the inverse of a small
// symmetric positive matrix by Gauss–Jordan elimination with pivoting.

export interface Objective {
  (x: number[]): { value: number; grad: number[] };
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** Minimises f from x0 for at most maxIter iterations; stops when the step no longer lowers f. */
export function minimiseLbfgs(
  f: Objective,
  x0: number[],
  maxIter: number,
  memory = 8,
): { x: number[]; value: number; iterations: number } {
  let x = [...x0],
    { value, grad } = f(x);
  const S: number[][] = [],
    Y: number[][] = [];
  let it = 0;
  for (; it < maxIter; it++) {
    // Two-loop recursion: d = −H·g.
    const q = [...grad],
      alpha: number[] = [];
    for (let i = S.length - 1; i >= 0; i--) {
      const a = dot(S[i]!, q) / dot(Y[i]!, S[i]!);
      alpha[i] = a;
      for (let j = 0; j < q.length; j++) q[j]! -= a * Y[i]![j]!;
    }
    const gamma = S.length
      ? dot(S[S.length - 1]!, Y[Y.length - 1]!) / dot(Y[Y.length - 1]!, Y[Y.length - 1]!)
      : 1 / Math.max(1e-12, Math.sqrt(dot(grad, grad)));
    for (let j = 0; j < q.length; j++) q[j]! *= gamma;
    for (let i = 0; i < S.length; i++) {
      const b = dot(Y[i]!, q) / dot(Y[i]!, S[i]!);
      for (let j = 0; j < q.length; j++) q[j]! += S[i]![j]! * (alpha[i]! - b);
    }
    let d = q.map((v) => -v);
    if (dot(d, grad) >= 0) {
      d = grad.map((v) => -v);
      S.length = 0;
      Y.length = 0;
    }
    let step = 1,
      next: { value: number; grad: number[] } | null = null,
      xn = x;
    for (let k = 0; k < 20; k++) {
      xn = x.map((v, j) => v + step * d[j]!);
      const t = f(xn);
      if (Number.isFinite(t.value) && t.value <= value + 1e-4 * step * dot(grad, d)) {
        next = t;
        break;
      }
      step *= 0.5;
    }
    if (!next) break;
    const s = xn.map((v, j) => v - x[j]!),
      y = next.grad.map((v, j) => v - grad[j]!);
    if (dot(s, y) > 1e-12) {
      S.push(s);
      Y.push(y);
      if (S.length > memory) {
        S.shift();
        Y.shift();
      }
    }
    const improvement = value - next.value;
    x = xn;
    value = next.value;
    grad = next.grad;
    if (improvement < 1e-10 * Math.max(1e-12, Math.abs(value))) {
      it++;
      break;
    }
  }
  return { x, value, iterations: it };
}

/** Inverse of a symmetric k×k matrix, or null when it is singular to working precision. */
export function invertSymmetric(a: Float64Array, k: number): Float64Array | null {
  const m = Float64Array.from(a),
    inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  let scale = 0;
  for (let i = 0; i < k; i++) scale = Math.max(scale, Math.abs(a[i * k + i]!));
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r * k + c]!) > Math.abs(m[p * k + c]!)) p = r;
    if (Math.abs(m[p * k + c]!) <= 1e-13 * scale) return null;
    if (p !== c)
      for (let j = 0; j < k; j++) {
        [m[p * k + j], m[c * k + j]] = [m[c * k + j]!, m[p * k + j]!];
        [inv[p * k + j], inv[c * k + j]] = [inv[c * k + j]!, inv[p * k + j]!];
      }
    const piv = m[c * k + c]!;
    for (let j = 0; j < k; j++) {
      m[c * k + j]! /= piv;
      inv[c * k + j]! /= piv;
    }
    for (let r = 0; r < k; r++)
      if (r !== c) {
        const f = m[r * k + c]!;
        if (f !== 0)
          for (let j = 0; j < k; j++) {
            m[r * k + j]! -= f * m[c * k + j]!;
            inv[r * k + j]! -= f * inv[c * k + j]!;
          }
      }
  }
  return inv;
}
