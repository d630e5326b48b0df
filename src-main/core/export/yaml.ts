// A small YAML writer for plain data (objects, arrays, strings, numbers, booleans, null): block style, two-space
// indents, every string double-quoted with JSON escapes (a YAML double-quoted scalar accepts them, YAML 1.2 §7.3.1),
// so no string is ever read back as a number, boolean or date. Non-finite numbers are refused;
// object keys whose value is undefined are left out.
import { InvalidParameterError } from '../errors';

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

function scalar(v: string | number | boolean | null, path: string): string {
  if (typeof v === 'number' && !Number.isFinite(v))
    throw new InvalidParameterError(path, `${v} cannot be written to YAML`);
  if (typeof v === 'string') return JSON.stringify(v);
  // YAML 1.1 readers (PyYAML) take an exponent without a dot ('1e-7') for a string: write '1.0e-7'.
  return typeof v === 'number' ? String(v).replace(/^(-?\d+)e/, '$1.0e') : String(v);
}

const isScalar = (v: YamlValue): v is string | number | boolean | null => v === null || typeof v !== 'object';
const isEmpty = (v: YamlValue): boolean =>
  Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.keys(v).length === 0;
const emptyText = (v: YamlValue): string => (Array.isArray(v) ? '[]' : '{}');
const keyText = (k: string): string => (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) ? k : JSON.stringify(k));

function lines(v: YamlValue, indent: string, path: string): string[] {
  const out: string[] = [];
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (isScalar(item) || isEmpty(item)) {
        out.push(`${indent}- ${isScalar(item) ? scalar(item, `${path}[${i}]`) : emptyText(item)}`);
        return;
      }
      // The first line of the nested block goes after the dash, the rest keep its indentation.
      const inner = lines(item, indent + '  ', `${path}[${i}]`);
      out.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1));
    });
    return out;
  }
  for (const [k, item] of Object.entries(v as Record<string, YamlValue | undefined>)) {
    if (item === undefined) continue; // an absent optional field
    if (isScalar(item) || isEmpty(item))
      out.push(`${indent}${keyText(k)}: ${isScalar(item) ? scalar(item, `${path}.${k}`) : emptyText(item)}`);
    else out.push(`${indent}${keyText(k)}:`, ...lines(item, indent + '  ', `${path}.${k}`));
  }
  return out;
}

/** A YAML document of an object. */
export function toYaml(doc: { [key: string]: YamlValue }): string {
  return lines(doc, '', 'yaml').join('\n') + '\n';
}
