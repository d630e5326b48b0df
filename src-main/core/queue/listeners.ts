// The listeners of a queue's events (QueueEvents), each called in turn; one that throws does not stop the queue.
import type { QueueEvents } from './types';

type Listener = (...args: never[]) => void;

export class QueueListeners {
  private readonly byEvent = new Map<keyof QueueEvents, Set<Listener>>();

  /** Adds a listener; the function returned removes it. */
  on<E extends keyof QueueEvents>(event: E, listener: QueueEvents[E]): () => void {
    const set = this.byEvent.get(event) ?? new Set();
    this.byEvent.set(event, set);
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  emit<E extends keyof QueueEvents>(event: E, ...args: Parameters<QueueEvents[E]>): void {
    for (const l of this.byEvent.get(event) ?? []) {
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch {
        // A listener's failure must not stop the queue.
      }
    }
  }
}
