// Typed errors. Each carries a stable `code` the UI and CLI can switch on, a human message that
// names the file or parameter, and a `hint` saying what the user can do about it.

export type ErrorCode =
  | 'TIFF_FORMAT'
  | 'UNSUPPORTED_FORMAT'
  | 'INVALID_PARAMETER'
  | 'INVALID_VOLUME'
  | 'FILE_EXISTS'
  | 'FILE_NOT_FOUND'
  | 'IO'
  | 'OUT_OF_MEMORY'
  | 'CANCELLED'
  | 'NUMERIC'
  | 'BACKEND'
  | 'CHECKPOINT'
  | 'PROJECT'
  | 'QUEUE'
  | 'ACCESS_DENIED';

export class CycleDeconError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
  toJSON(): { name: string; code: ErrorCode; message: string; hint?: string } {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint };
  }
}

/** The file is not a TIFF, is truncated or corrupt, or is a TIFF we cannot interpret. */
export class TiffFormatError extends CycleDeconError {
  constructor(
    readonly file: string,
    problem: string,
    hint?: string,
    cause?: unknown,
  ) {
    super('TIFF_FORMAT', `${file}: ${problem}`, { hint, cause });
  }
}

/** A readable file whose content we do not support (RGB, complex samples, 2D where 3D is needed…). */
export class UnsupportedFormatError extends CycleDeconError {
  constructor(
    readonly file: string,
    problem: string,
    hint?: string,
  ) {
    super('UNSUPPORTED_FORMAT', `${file}: ${problem}`, { hint });
  }
}

/** An OME-Zarr folder whose metadata is missing, malformed or hostile, or whose data we cannot decode. */
export class ZarrFormatError extends CycleDeconError {
  constructor(
    readonly file: string,
    problem: string,
    hint = 'Check the folder with ome-zarr info, or write it again with bioformats2raw or ome-zarr-py.',
  ) {
    super('UNSUPPORTED_FORMAT', `${file}: ${problem}`, { hint });
  }
}

/** A parameter outside its valid range or of the wrong kind. */
export class InvalidParameterError extends CycleDeconError {
  constructor(
    readonly parameter: string,
    problem: string,
    hint?: string,
  ) {
    super('INVALID_PARAMETER', `${parameter}: ${problem}`, { hint });
  }
}

/** A required argument or option is missing (or positionals are the wrong count): a usage error, exit code 2 in the CLI. */
export class MissingArgumentError extends InvalidParameterError {}

/** A volume whose shape or contents do not fit the operation. */
export class InvalidVolumeError extends CycleDeconError {
  constructor(problem: string, hint?: string) {
    super('INVALID_VOLUME', problem, { hint });
  }
}

export class FileExistsError extends CycleDeconError {
  constructor(readonly file: string) {
    super('FILE_EXISTS', `${file} already exists`, {
      hint: 'Choose another output name, or pass --force to replace it.',
    });
  }
}

export class FileNotFoundError extends CycleDeconError {
  constructor(readonly file: string) {
    super('FILE_NOT_FOUND', `${file} does not exist`, { hint: 'Check the path.' });
  }
}

/** Reading or writing failed at the OS level (disk full, read-only folder, permissions). */
export class IoError extends CycleDeconError {
  constructor(
    readonly file: string,
    problem: string,
    cause?: unknown,
    hint = 'Check free disk space and that the folder is writable.',
  ) {
    super('IO', `${file}: ${problem}`, { cause, hint });
  }
}

/**
 * An output path that exists but is a folder, FIFO, socket or device: a rename would put a file where it was
 * (as root, `--force` onto /dev/null replaced the device), so it is refused even with force.
 */
export class NotRegularFileError extends CycleDeconError {
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    super('FILE_EXISTS', `${file}: is ${kind}, not a regular file; it is never replaced, even with --force`, {
      hint: 'Choose an output path that is not a folder, pipe or device.',
    });
  }
}

/** A write whose resolved path lies outside the folder it must stay in (a name with "..", a symlink leading out). */
export class OutsideFolderError extends CycleDeconError {
  constructor(
    readonly file: string,
    readonly folder: string,
  ) {
    super('ACCESS_DENIED', `${file}: resolves outside ${folder}`, {
      hint: 'Output names are plain file names: no folders, "..", or links leading elsewhere.',
    });
  }
}

export class OutOfMemoryError extends CycleDeconError {
  constructor(problem: string, hint = 'Use smaller tiles or a smaller patch size.') {
    super('OUT_OF_MEMORY', problem, { hint });
  }
}

export class CancelledError extends CycleDeconError {
  constructor(what = 'operation') {
    super('CANCELLED', `${what} cancelled`);
  }
}

/** NaN or Inf appeared in a computation (for example a training loss). */
export class NumericError extends CycleDeconError {
  constructor(problem: string, hint?: string) {
    super('NUMERIC', problem, { hint });
  }
}

export class BackendError extends CycleDeconError {
  constructor(problem: string, hint?: string) {
    super('BACKEND', problem, { hint });
  }
}

/** A weights file or checkpoint that is missing, corrupt, or does not match the model being restored. */
export class CheckpointError extends CycleDeconError {
  constructor(problem: string, hint?: string) {
    super('CHECKPOINT', problem, { hint });
  }
}

/**
 * The PSF's voxel size is so far from the image's that the resampled PSF would dwarf the image:
 * nearly always a unit slip (nm written as µm). Refused before anything is allocated.
 */
export class PsfVoxelSizeError extends InvalidVolumeError {
  constructor(problem: string, hint?: string) {
    super(problem, hint);
  }
}

export function isCycleDeconError(e: unknown): e is CycleDeconError {
  return e instanceof CycleDeconError;
}
