// What a PSF on screen is, in the words its panels and tables use: a measured one (a bead or kernel the user
// imported), one a training run learned (named by its run, so two runs of one preset never read alike), or a
// theoretical one the app generated. A learned PSF is never called "measured".
import type { Project } from '../../src-main/contract';

export interface PsfOrigin {
  /** Panel title, e.g. "Learned (run_3649e705a0f3)". */
  title: string;
  /** Lower-case series name for profiles and tables: measured, learned, theoretical or selected. */
  kind: 'measured' | 'learned' | 'theoretical' | 'selected';
}

const MODEL: Record<string, string> = { 'born-wolf': 'Born–Wolf', 'gibson-lanni': 'Gibson–Lanni' };

export function psfOrigin(id: string | null, project: Pick<Project, 'datasets' | 'results'> | null): PsfOrigin {
  if (!id || !project) return { title: 'PSF', kind: 'selected' };
  if (project.datasets.some((d) => d.id === id)) return { title: 'Measured', kind: 'measured' };
  const r = project.results.find((x) => x.id === id);
  if (r?.kind === 'psf' && r.method.startsWith('learned-psf')) {
    const run = /(run_[A-Za-z0-9]+)$/.exec(r.method)?.[1];
    return { title: run ? `Learned (${run})` : 'Learned', kind: 'learned' };
  }
  if (r?.kind === 'psf' && MODEL[r.method]) return { title: `Theoretical (${MODEL[r.method]})`, kind: 'theoretical' };
  return { title: 'Selected volume', kind: 'selected' };
}
