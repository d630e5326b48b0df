// Keys older configs and journalled train jobs may hold that the schema no longer has: moved under
// `experimental`, or removed because their own experiments measured no gain. upgradeRetiredKeys maps a raw config
// (or overrides) before validation, so old run folders and old jobs still load; what it dropped it says.
// Zod-free and pure (the renderer imports the contract).

type Path = readonly [string, string];
/** Where a retired key went: a new place, or nowhere with the reason. */
type Fate = { movedTo: Path } | { dropped: string };

export const RETIRED_KEYS: readonly { from: Path; fate: Fate }[] = [
  { from: ['generator', 'residual'], fate: { movedTo: ['experimental', 'residual'] } },
  { from: ['psf', 'initSigma'], fate: { movedTo: ['experimental', 'psfInitSigma'] } },
  { from: ['psf', 'adamNorm'], fate: { movedTo: ['experimental', 'psfAdamNorm'] } },
  { from: ['psf', 'gradient'], fate: { movedTo: ['experimental', 'psfGradient'] } },
  { from: ['psf', 'convolution'], fate: { movedTo: ['experimental', 'psfConvolution'] } },
  { from: ['normalisation', 'scale'], fate: { movedTo: ['experimental', 'normalisationScale'] } },
  { from: ['normalisation', 'meanTarget'], fate: { movedTo: ['experimental', 'meanTarget'] } },
  {
    from: ['psf', 'halo'],
    fate: {
      dropped:
        'the learned halo measured no gain and was removed (docs/notes/2026-12-03-what-moves-the-learned-psf.md, point 3)',
    },
  },
  {
    from: ['loss', 'psfCycleB'],
    fate: {
      dropped:
        'detaching cycle B from the PSF had no effect on the learned PSF and was removed (docs/notes/2026-12-03-what-moves-the-learned-psf.md, table of point 2)',
    },
  },
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `raw` with every retired key moved to its new place or removed (a copy; `raw` is untouched), and one note per
 * key dropped. A moved key never overwrites a value already at its new place. Anything that is not an object
 * passes through for the schema to refuse.
 */
export function upgradeRetiredKeys(raw: unknown): { config: unknown; notes: string[] } {
  if (!isObject(raw)) return { config: raw, notes: [] };
  const out: Record<string, unknown> = { ...raw };
  const notes: string[] = [];
  for (const { from, fate } of RETIRED_KEYS) {
    const parent = out[from[0]];
    if (!isObject(parent) || !(from[1] in parent)) continue;
    const { [from[1]]: value, ...rest } = parent;
    out[from[0]] = rest;
    if ('dropped' in fate) {
      if (value !== undefined && value !== false)
        notes.push(`${from.join('.')} = ${JSON.stringify(value)} ignored: ${fate.dropped}`);
      continue;
    }
    const [group, key] = fate.movedTo;
    const target = isObject(out[group]) ? { ...(out[group] as Record<string, unknown>) } : {};
    if (!(key in target)) target[key] = value;
    out[group] = target;
  }
  return { config: out, notes };
}
