// Builders of hostile JSON inputs for the hardening tests (built in memory, never committed as files).

/** `[[[…]]]` nested `depth` levels, as JSON text (what a client sends; JSON.parse reads it without recursion). */
export function deepArrayText(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** The same value in memory, built iteratively. */
export function deepArray(depth: number): unknown[] {
  let v: unknown[] = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

/** An object nested `depth` levels: { a: { a: … {} } }. */
export function deepObject(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

/** A DAG of `levels` arrays each holding the next twice: tiny in memory, 2^levels leaves when serialised. */
export function doublingDag(levels: number): unknown[] {
  let v: unknown[] = [1, 1];
  for (let i = 1; i < levels; i++) v = [v, v];
  return v;
}
