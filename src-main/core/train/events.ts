// Typed progress events of a training run (sent as-is across the worker boundary: plain data only),
// and the pause/resume switch the loop checks between steps.
import type { TrainConfig } from './config';
import type { LossTerms } from './step';

export interface HistoryRow extends LossTerms {
  step: number;
  epoch: number;
  lr: number;
  /** Seconds since the run (or the resumed part) began. */
  seconds: number;
}

export type TrainEvent =
  | {
      type: 'start';
      runDir: string;
      startStep: number;
      totalSteps: number;
      stepsPerEpoch: number;
      backend: string;
      config: TrainConfig;
    }
  | {
      type: 'step';
      step: number;
      totalSteps: number;
      epoch: number;
      lr: number;
      losses: LossTerms;
      stepsPerSecond: number;
      etaSeconds: number;
    }
  | { type: 'psf'; step: number; shape: [number, number, number]; data: Float32Array }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'done'; step: number; runDir: string; cancelled: boolean; seconds: number };

/** Pause/resume for a running loop; the loop waits between steps while paused. */
export class TrainControl {
  private waiters: (() => void)[] = [];
  private pausedFlag = false;
  get paused(): boolean {
    return this.pausedFlag;
  }
  pause(): void {
    this.pausedFlag = true;
  }
  resume(): void {
    this.pausedFlag = false;
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }
  /** Resolves when not paused (immediately if running) or when the signal aborts. */
  waitWhilePaused(signal?: AbortSignal): Promise<void> {
    if (!this.pausedFlag || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
