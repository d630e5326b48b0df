// Helpers to read validated option values; every failure is an InvalidParameterError naming the flag.
import { InvalidParameterError, MissingArgumentError } from '../core/errors';
import type { ParsedArgs } from './command';

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidParameterError(`--${name}`, 'expects a value');
  return v;
}

export function requireStr(args: ParsedArgs, name: string): string {
  const v = str(args, name);
  if (v === undefined || v === '') throw new MissingArgumentError(`--${name}`, 'is required');
  return v;
}

export function num(
  args: ParsedArgs,
  name: string,
  opts: { min?: number; max?: number; integer?: boolean; def?: number } = {},
): number | undefined {
  const raw = str(args, name);
  if (raw === undefined) return opts.def;
  const v = Number(raw);
  if (!Number.isFinite(v) || raw.trim() === '')
    throw new InvalidParameterError(`--${name}`, `"${raw}" is not a number`);
  if (opts.integer && !Number.isInteger(v))
    throw new InvalidParameterError(`--${name}`, `"${raw}" must be a whole number`);
  if (opts.min !== undefined && v < opts.min)
    throw new InvalidParameterError(`--${name}`, `${v} is below the minimum ${opts.min}`);
  if (opts.max !== undefined && v > opts.max)
    throw new InvalidParameterError(`--${name}`, `${v} is above the maximum ${opts.max}`);
  return v;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function oneOf<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], def: T): T {
  const v = str(args, name);
  if (v === undefined) return def;
  if (!(allowed as readonly string[]).includes(v))
    throw new InvalidParameterError(`--${name}`, `"${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}
