// Run by hostile-tiff.test.ts in a child Node with a small heap: builds one hostile file, opens it and prints
// the outcome as JSON. A reader that allocates per IFD dies of a heap abort here instead of killing vitest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTiffInfo } from '../../../src-main/core/io/index';
import { isCycleDeconError } from '../../../src-main/core/errors';
import { sharedDescription, sharedTagArrays } from './tiff-builder';

const [dir, shape] = process.argv.slice(2);
if (dir === undefined || shape === undefined) throw new Error('usage: hostile-child.ts <dir> <shape>');
const bytes =
  shape === 'description'
    ? sharedDescription(64, 8 * 1024 * 1024)
    : sharedTagArrays(20, 10, 1024 * 1024, shape === 'arrays-varied');
const file = join(dir, `${shape}.tif`);
writeFileSync(file, bytes);
try {
  const info = await readTiffInfo(file);
  console.log(JSON.stringify({ outcome: 'read', shape: info.shape }));
} catch (e) {
  console.log(
    JSON.stringify(
      isCycleDeconError(e)
        ? { outcome: 'typed-error', name: e.name, message: e.message }
        : { outcome: 'untyped', message: String(e) },
    ),
  );
}
