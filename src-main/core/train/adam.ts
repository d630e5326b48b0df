// Adam (Kingma & Ba) over named tf.Variables, written out so that its whole state (t, m, v) can be saved
// and restored exactly: the bias corrections are computed from t in JS, not accumulated on the device, so a
// resumed run computes bit-for-bit the same updates as an uninterrupted one.
import * as tf from '@tensorflow/tfjs';
import { cpuTensors } from '../nn/ops/resample-cpu';
import { getFlag } from '../flags';

export interface AdamSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Learning-rate multipliers by variable name (default 1). */
  lrScale?: Record<string, number>;
  /**
   * Variables whose step is normalised by the mean second moment over the whole tensor instead of each element's
   * own (as NovoGrad's layer-wise moment): a weight then moves in proportion to its gradient, so weights with tiny
   * gradients (a PSF's tails) no longer move by about lr per step. The state (m, v per element) is unchanged.
   */
  tensorNorm?: ReadonlySet<string>;
}

export interface AdamSlotState {
  name: string;
  shape: number[];
  m: Float32Array;
  v: Float32Array;
}

export interface AdamState {
  t: number;
  slots: AdamSlotState[];
}

export class Adam {
  private t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  constructor(
    private readonly vars: tf.Variable[],
    private readonly s: AdamSettings,
  ) {
    const zeros = (x: tf.Variable) => {
      const z = tf.zerosLike(x);
      const v = tf.variable(z, false);
      z.dispose(); // the variable keeps the data; the initial tensor object would otherwise leak
      return v;
    };
    for (const x of vars) {
      this.m.set(x.name, zeros(x));
      this.v.set(x.name, zeros(x));
    }
  }

  get steps(): number {
    return this.t;
  }

  /** One update with learning rate `lr`; `grads` maps variable names to gradients (missing ones are skipped). */
  apply(grads: tf.NamedTensorMap, lr0: number): void {
    this.t += 1;
    const { beta1, beta2, epsilon } = this.s;
    const c1 = 1 - Math.pow(beta1, this.t);
    const c2 = 1 - Math.pow(beta2, this.t);
    for (const x of this.vars) {
      const g = grads[x.name];
      if (!g) continue;
      const m = this.m.get(x.name)!,
        v = this.v.get(x.name)!;
      const lr = lr0 * (this.s.lrScale?.[x.name] ?? 1);
      const tensorNorm = this.s.tensorNorm?.has(x.name) ?? false;
      if (cpuTensors() && getFlag('cpuOps') !== 'tfjs') {
        // One loop over typed arrays: tfjs' cpu backend runs each scalar-broadcast op element by element
        // through index arithmetic (measured: 4 % of a paper-preset step).
        const data = (t: tf.Tensor) => t.dataSync() as Float32Array;
        const xd = data(x),
          md = data(m),
          vd = data(v),
          gd = data(g);
        const nx = new Float32Array(xd.length),
          nm = new Float32Array(xd.length),
          nv = new Float32Array(xd.length);
        let vSum = 0;
        for (let i = 0; i < xd.length; i++) {
          const m1 = beta1 * md[i]! + (1 - beta1) * gd[i]!,
            v1 = beta2 * vd[i]! + (1 - beta2) * gd[i]! * gd[i]!;
          nm[i] = m1;
          nv[i] = v1;
          vSum += v1;
          if (!tensorNorm) nx[i] = xd[i]! - ((m1 / c1) * lr) / (Math.sqrt(v1 / c2) + epsilon);
        }
        if (tensorNorm) {
          const denom = Math.sqrt(vSum / xd.length / c2) + epsilon;
          for (let i = 0; i < xd.length; i++) nx[i] = xd[i]! - ((nm[i]! / c1) * lr) / denom;
        }
        tf.tidy(() => {
          m.assign(tf.tensor(nm, x.shape));
          v.assign(tf.tensor(nv, x.shape));
          x.assign(tf.tensor(nx, x.shape));
        });
        continue;
      }
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const vHat = tf.div(tensorNorm ? tf.mean(v1) : v1, c2);
        const step = tf.div(tf.mul(tf.div(m1, c1), lr), tf.add(tf.sqrt(vHat), epsilon));
        m.assign(m1);
        v.assign(v1);
        x.assign(tf.sub(x, step));
      });
    }
  }

  async state(): Promise<AdamState> {
    const slots: AdamSlotState[] = [];
    for (const x of this.vars) {
      const m = this.m.get(x.name)!,
        v = this.v.get(x.name)!;
      slots.push({
        name: x.name,
        shape: x.shape.slice(),
        m: (await m.data()) as Float32Array,
        v: (await v.data()) as Float32Array,
      });
    }
    return { t: this.t, slots };
  }

  load(state: AdamState): void {
    this.t = state.t;
    for (const s of state.slots) {
      const m = this.m.get(s.name),
        v = this.v.get(s.name);
      if (!m || !v) throw new Error(`optimiser state names a variable "${s.name}" this model does not have`);
      tf.tidy(() => {
        m.assign(tf.tensor(s.m, m.shape, 'float32'));
        v.assign(tf.tensor(s.v, v.shape, 'float32'));
      });
    }
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}
