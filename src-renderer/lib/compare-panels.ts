// Compare's panels: the default set (the newest deconvolution, the input it was made from, and the ground
// truth of that input when the project has one), and why a report cannot be written of what is shown.
import type { Dataset, Result } from '../../src-main/contract';

/** What a panel shows as a deconvolution: a project result, or an external result linked to its input. */
interface Deconvolution {
  id: string;
  inputId: string | undefined;
  at: string;
}

function deconvolutions(datasets: readonly Dataset[], results: readonly Result[]): Deconvolution[] {
  return [
    ...results
      .filter((r) => r.kind === 'deconvolved')
      .map((r) => ({ id: r.id, inputId: r.inputDatasetId ?? undefined, at: r.createdAt })),
    ...datasets.flatMap((d) =>
      d.role.kind === 'external' ? [{ id: d.id, inputId: d.role.linkedTo, at: d.addedAt }] : [],
    ),
  ].sort((a, b) => b.at.localeCompare(a.at));
}

/**
 * Panels from one input: the newest deconvolution with a known input, that input, other deconvolutions of the
 * same input (AutoQuant beside CycleDecon), then one sharp dataset; at most four, at least two slots.
 */
export function defaultPanels(datasets: readonly Dataset[], results: readonly Result[]): (string | null)[] {
  const all = deconvolutions(datasets, results);
  const lead = all.find((d) => d.inputId && datasets.some((x) => x.id === d.inputId));
  const gt = datasets.find((d) => d.role.kind === 'sharp');
  if (!lead) {
    const raw = datasets.find((d) => d.role.kind === 'blurred');
    return [raw?.id ?? null, all[0]?.id ?? null, ...(gt ? [gt.id] : [])];
  }
  const same = all.filter((d) => d !== lead && d.inputId === lead.inputId).map((d) => d.id);
  return [lead.inputId!, lead.id, ...same, ...(gt ? [gt.id] : [])].slice(0, 4);
}

/** Panel ids saved earlier, kept only when they all still exist; else null (use the defaults). */
export function restorePanels(saved: unknown, exists: (id: string) => boolean): (string | null)[] | null {
  if (!Array.isArray(saved) || saved.length < 2 || saved.length > 4) return null;
  if (!saved.every((id) => id === null || (typeof id === 'string' && exists(id)))) return null;
  return saved as (string | null)[];
}

/** Why "Write report" cannot run on these panels (null: it can). */
export function reportBlocker(
  chosen: readonly string[],
  datasets: readonly Dataset[],
  results: readonly Result[],
): string | null {
  const unlinked = datasets.find((d) => chosen.includes(d.id) && d.role.kind === 'external' && !d.role.linkedTo);
  if (unlinked)
    return `${unlinked.name} is another tool's result with no input: choose its input in “linked to” on the Datasets page.`;
  const any = chosen.some(
    (id) =>
      results.some((r) => r.id === id && r.kind === 'deconvolved') ||
      datasets.some((d) => d.id === id && d.role.kind === 'external'),
  );
  return any
    ? null
    : 'A report needs a deconvolution among the panels (a result, or another tool\u2019s result linked to its input).';
}
