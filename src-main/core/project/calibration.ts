// How every reader of a project's dataset opens it: with the project's voxel-size override when one is set,
// so a Richardson–Lucy result, a model result, a training run and a report all carry the same calibration.
import type { Dataset } from '../../contract/schemas';
import type { OpenOptions } from '../io/reader';

/** Reader options for a dataset (the override, recorded as source 'project'); none for a result (its file is right). */
export function datasetOpenOptions(d: Pick<Dataset, 'voxelSizeOverride'> | undefined): OpenOptions {
  return d?.voxelSizeOverride ? { voxelSize: { ...d.voxelSizeOverride }, voxelSizeSource: 'project' } : {};
}
