import { type ProgramForm } from './form';
import { pathWords } from './words';

/** `{a: {b: [1]}}` -> `{'a.b[0]': 1}`: every leaf of a document at its path. */
function flatten(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, []);
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(path, {});
    for (const [k, v] of entries) flatten(v, path === '' ? k : `${path}.${k}`, out);
  } else out.set(path, value);
  return out;
}

const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/**
 * What Save would change, before it is stored: one line per changed field, in words and in document
 * order (`Eligibility condition 2: value: "US" → "CA"`). The server's diff of stored versions says
 * the same for History; this one needs no round trip and works on a draft.
 */
export function draftDiff(before: unknown, after: unknown, form: ProgramForm): string[] {
  const a = flatten(before, '', new Map());
  const b = flatten(after, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  const lines: string[] = [];
  for (const path of paths) {
    const from = a.get(path);
    const to = b.get(path);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    const where = pathWords(path.replace(/\.(amountMinor|currency)$/, ''), form) + (/\.(amountMinor|currency)$/.test(path) ? ` (${path.split('.').pop() ?? ''})` : '');
    if (!a.has(path)) lines.push(`added ${where}: ${show(to)}`);
    else if (!b.has(path)) lines.push(`removed ${where}: ${show(from)}`);
    else lines.push(`changed ${where}: ${show(from)} → ${show(to)}`);
  }
  return lines;
}
