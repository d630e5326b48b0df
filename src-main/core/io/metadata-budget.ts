// What a TIFF's structure may cost in memory. Every IFD and every tag payload is charged here, at its
// declared size, before it is read: a hostile file whose IFDs all point at one large ImageDescription or
// tag array (a few MB on disk, GBs once read per IFD) ends in a TiffFormatError instead of a heap abort.
import { TiffFormatError } from '../errors';

export interface MetadataLimits {
  /** Bytes all IFDs and distinct tag payloads of one file may hold in memory together. */
  totalBytes: number;
  /** Bytes one tag payload may occupy in the file. */
  tagBytes: number;
}

const MIB = 1024 * 1024;

/**
 * 64 MiB of metadata, or 1/16 of the file for files over 1 GiB: a long time-lapse (10⁵ pages and more)
 * legitimately carries more than 64 MiB of IFDs, but nothing genuine has metadata near its pixel data's size.
 */
export function defaultLimits(fileBytes: number): MetadataLimits {
  return { totalBytes: Math.max(64 * MIB, Math.floor(fileBytes / 16)), tagBytes: 16 * MIB };
}

/** Resident size of one parsed page (TiffPage object, its small arrays): measured ~480 bytes for a plain strip page. */
export const PAGE_COST = 512;

export class MetadataBudget {
  private spent = 0;
  constructor(
    private readonly file: string,
    readonly limits: MetadataLimits,
  ) {}

  /** Refuses a single tag payload of `bytes` bytes above the per-tag limit. */
  checkTag(bytes: number, what: string): void {
    if (bytes > this.limits.tagBytes) {
      throw new TiffFormatError(
        this.file,
        `corrupt or hostile: ${what} is ${bytes} bytes, above the ${this.limits.tagBytes}-byte limit for one tag`,
        'Re-save the file with a TIFF writer such as ImageJ/Fiji or tifffile.',
      );
    }
  }

  /** Records `bytes` more bytes of held metadata; throws once the file's total would exceed the limit. */
  charge(bytes: number, what: string): void {
    this.spent += bytes;
    if (this.spent > this.limits.totalBytes) {
      throw new TiffFormatError(
        this.file,
        `corrupt or hostile: its metadata would need more than ${this.limits.totalBytes} bytes of memory (at ${what})`,
        'Re-save the file with a TIFF writer such as ImageJ/Fiji or tifffile.',
      );
    }
  }

  get bytes(): number {
    return this.spent;
  }
}
