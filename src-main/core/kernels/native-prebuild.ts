// Where the committed native addon lies, and the check it passes before dlopen. The addon ships as a file in
// the prebuildify layout (prebuilds/<platform>-<arch>/conv.node) and loads in place in three layouts:
//   repo          <root>/src-main/core/kernels/native-conv.ts   → <root>/prebuilds/…
//   CLI bundle    <root>/dist/{cli,worker}/*.js                  → <root>/dist/prebuilds/… (scripts/build-cli.mjs)
//   packaged app  <resources>/app.asar/out/main/*.js             → <resources>/app.asar.unpacked/prebuilds/…
//                 (electron-builder.yml unpacks prebuilds/ from the asar: dlopen cannot read inside it)
// The unpackaged app (<root>/out/main/*.js) finds the repo's copy. Its SHA-256 must equal the committed
// manifest (native/prebuild.ts, written by scripts/build-native.sh) so that a stale or altered file never runs.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CycleDeconError } from '../errors';
import { NATIVE_PREBUILD } from './native/prebuild';

export interface PrebuildPlace {
  /** The folder of the module that loads the addon (its bundle's folder once bundled). */
  moduleDir: string;
  /** Electron's process.resourcesPath; undefined in plain Node. */
  resourcesPath?: string;
  /** `${process.platform}-${process.arch}`. */
  platformArch: string;
}

/** The places the addon may lie, most specific first (pure: no file-system access). */
export function prebuildCandidates(place: PrebuildPlace, file: string = NATIVE_PREBUILD.file): string[] {
  const rel = path.join('prebuilds', place.platformArch, file);
  const out: string[] = [];
  if (place.resourcesPath) out.push(path.join(place.resourcesPath, 'app.asar.unpacked', rel));
  // dist/{cli,worker} → dist; out/main → the checkout; src-main/core/kernels → the checkout.
  for (const up of ['..', '../..', '../../..']) out.push(unpackedPath(path.join(place.moduleDir, up, rel)));
  return [...new Set(out)];
}

/** A path inside an asar archive, moved to the folder that electron-builder unpacks it into. */
function unpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** The first candidate that exists, or null. */
export function resolvePrebuild(place: PrebuildPlace, exists: (file: string) => boolean): string | null {
  return prebuildCandidates(place).find(exists) ?? null;
}

export type NativeLoadProblem = 'missing' | 'sha-mismatch' | 'dlopen';

/** The native addon should load here (linux-x64) but cannot: the file is missing, altered, or refused by dlopen. */
export class NativeKernelError extends CycleDeconError {
  constructor(
    readonly problem: NativeLoadProblem,
    readonly file: string | null,
    detail: string,
    cause?: unknown,
  ) {
    super('BACKEND', detail, {
      hint: 'Reinstall CycleDecon, or rebuild the addon with scripts/build-native.sh; the WebAssembly kernel runs meanwhile.',
      cause,
    });
  }
}

/** The error for a prebuild that is not where any layout puts it. */
export function missingPrebuild(place: PrebuildPlace): NativeKernelError {
  return new NativeKernelError(
    'missing',
    null,
    `no ${NATIVE_PREBUILD.file} in ${prebuildCandidates(place)
      .map((c) => path.dirname(c))
      .join(', ')}`,
  );
}

/** Throws NativeKernelError unless `bytes` are the committed addon (size and SHA-256 of the manifest). */
export function verifyPrebuild(
  file: string,
  bytes: Uint8Array,
  expected: { bytes: number; sha256: string } = NATIVE_PREBUILD,
): void {
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== expected.bytes || sha !== expected.sha256) {
    throw new NativeKernelError(
      'sha-mismatch',
      file,
      `${file} is not the committed addon (SHA-256 ${sha.slice(0, 12)}…, ${bytes.length} bytes; expected ${expected.sha256.slice(0, 12)}…, ${expected.bytes} bytes)`,
    );
  }
}
