// Seeded parameter creation shared by the networks: He-normal kernels (std = sqrt(2 / fan_in)) drawn
// with tf.randomNormal's seed, so a given (config, seed) always builds the same weights on every backend.
import * as tf from '@tensorflow/tfjs';

/** Hands out variables with unique names under a module prefix and a fresh seed for each. */
export class ParamFactory {
  readonly vars: tf.Variable[] = [];
  private next = 0;
  constructor(
    readonly prefix: string,
    readonly seed: number,
  ) {}

  private add(name: string, init: tf.Tensor): tf.Variable {
    const full = `${this.prefix}/${name}`;
    const v = tf.variable(init, true, full);
    init.dispose();
    this.vars.push(v);
    return v;
  }

  /** Conv kernel [k, k, k, cin, cout] (or transposed [k, k, k, cout, cin]: fanIn given explicitly). */
  heNormal(name: string, shape: number[], fanIn: number): tf.Variable {
    const seed = this.seed * 1000 + this.next++;
    return this.add(name, tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed));
  }
  zeros(name: string, shape: number[]): tf.Variable {
    this.next++;
    return this.add(name, tf.zeros(shape));
  }
  fromValues(name: string, values: Float32Array, shape: number[]): tf.Variable {
    this.next++;
    return this.add(name, tf.tensor(values, shape, 'float32'));
  }
}

/** Dispose every variable of a module (frees their names so a module of the same name can be rebuilt). */
export function disposeModule(m: { variables(): tf.Variable[] }): void {
  for (const v of m.variables()) v.dispose();
}

/** Number of scalar parameters of a module. */
export function countParams(m: { variables(): tf.Variable[] }): number {
  return m.variables().reduce((n, v) => n + v.size, 0);
}
