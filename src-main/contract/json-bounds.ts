// Bounds for free-form JSON fields (a train job's `config`): limited nesting and serialised size, plain
// JSON values only. Everything accepted here can be journalled, cloned to a worker and sent back over
// HTTP; a 50 000-deep array, by contrast, overflows the stack of every recursive JSON.stringify after it.
// Zod only (the renderer imports the contract).
import type { z } from 'zod';

export interface JsonBounds {
  /** Most levels of nested arrays/objects, the field itself counting as 1 (default 32). */
  maxDepth?: number;
  /** Most bytes of the field's JSON text, UTF-8 (default 64 KiB). */
  maxBytes?: number;
}

export const JSON_MAX_DEPTH = 32;
export const JSON_MAX_BYTES = 64 * 1024;

type Issue = { message: string; path: (string | number)[] };

/** UTF-8 length of a string without allocating its encoding. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** What is wrong with a leaf (null when it is a JSON value). */
function leafProblem(v: unknown): string | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${v} is not a JSON number`;
  return v === undefined ? 'undefined is not a JSON value' : `a ${typeof v} is not a JSON value`;
}

interface Node {
  v: unknown;
  depth: number;
  parent: Node | null;
  key: string | number;
}

function pathOf(node: Node): (string | number)[] {
  const path: (string | number)[] = [];
  for (let n: Node | null = node; n?.parent; n = n.parent) path.unshift(n.key);
  return path;
}

/**
 * The first problem of `value` against the bounds, or null. Iterative (a recursive walk would itself overflow on
 * the inputs it guards against). Every value is charged at least one byte before it is queued, so the walk stops
 * after about maxBytes values whatever the input: shared references (which structured clone over IPC keeps) and
 * cycles cannot make it run long.
 */
export function jsonBoundsProblem(value: unknown, bounds: JsonBounds = {}): Issue | null {
  const maxDepth = bounds.maxDepth ?? JSON_MAX_DEPTH;
  const maxBytes = bounds.maxBytes ?? JSON_MAX_BYTES;
  const tooBig = { message: `is larger than ${maxBytes} bytes as JSON`, path: [] };
  const stack: Node[] = [{ v: value, depth: 0, parent: null, key: '' }];
  let bytes = 1;
  while (stack.length) {
    const node = stack.pop()!;
    const v = node.v;
    if (typeof v !== 'object' || v === null) {
      const problem = leafProblem(v);
      if (problem) return { message: problem, path: pathOf(node) };
      if (typeof v === 'string') bytes += v.length;
    } else if (node.depth + 1 > maxDepth) {
      return { message: `is nested more than ${maxDepth} levels deep`, path: [] };
    } else if (Array.isArray(v)) {
      bytes += v.length + 1;
      if (bytes > maxBytes) return tooBig;
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: node.depth + 1, parent: node, key: i });
    } else if (!isPlainObject(v)) {
      return {
        message: `a ${(v.constructor as { name?: string } | undefined)?.name ?? 'non-plain object'} is not a JSON value`,
        path: pathOf(node),
      };
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || !Object.prototype.hasOwnProperty.call(v, k)) continue; // JSON drops undefined members, as the journal will
        bytes += k.length + 4;
        if (bytes > maxBytes) return tooBig;
        stack.push({ v: x, depth: node.depth + 1, parent: node, key: k });
      }
    }
    if (bytes > maxBytes) return tooBig;
  }
  // Within the depth bound, so serialising is safe; the exact size counts escapes and multi-byte characters.
  return utf8Length(JSON.stringify(value) ?? '') > maxBytes ? tooBig : null;
}

/** `schema` that also refuses values outside the bounds, naming the field (and the inner key of a non-JSON leaf). */
export function boundedJson<T extends z.ZodType>(schema: T, bounds: JsonBounds = {}): T {
  return schema.superRefine((value, ctx) => {
    const problem = jsonBoundsProblem(value, bounds);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
  }) as T;
}
