// Small display formatters.
import type { Job } from '../../src-main/contract';

export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** One line saying what a job does, in the microscopist's words. */
export function describeJob(job: Job, nameOf: (id: string) => string = (id) => id): string {
  const s = job.spec;
  switch (s.kind) {
    case 'train':
      return `Train (${s.preset}) on ${s.blurredIds.map(nameOf).join(', ')}`;
    case 'deconvolve':
      return s.method === 'rl'
        ? `Richardson–Lucy ×${s.iterations} on ${nameOf(s.datasetId)}`
        : `CycleDecon model on ${nameOf(s.datasetId)}`;
    case 'psf':
      return `Generate ${s.params.model} PSF (NA ${s.params.numericalAperture}, λ ${s.params.wavelength} µm)`;
    case 'report':
      return `Report on ${s.itemIds.length} item(s)`;
  }
}

export function fmtUm(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '—';
  return `${value.toFixed(unit === 'nm' ? 0 : 3)} ${unit}`;
}
