// Names of the files a job writes into the project's results folder. An outputName is checked at the
// contract (SafeName); a default name derives from a dataset name, which a project written by an older
// version may hold unchecked, so it is made safe here. The write itself is confined to the results folder
// (writeVolume's `within`), whatever the name.
import { join } from 'node:path';
import { isControl, unsafeNameReason } from '../../contract/names';

/** A dataset name as the start of an output name: no extension, every character a path could use replaced. */
export function outputStem(datasetName: string | undefined, fallback = 'result'): string {
  const stem = (datasetName ?? '')
    .replace(/\.(ome\.)?tiff?$/i, '')
    .replace(/[/\\:]/g, '_')
    .split('')
    .map((c) => (isControl(c) ? '_' : c))
    .join('')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 120);
  return stem && unsafeNameReason(stem) === null ? stem : fallback;
}

/** `<resultsDir>/<name>.tif`. */
export function resultFile(resultsDir: string, name: string): string {
  return join(resultsDir, `${name}.tif`);
}
