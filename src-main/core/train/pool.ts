// CycleGAN's history of generated volumes (Shrivastava et al.): the discriminators see a mix of the newest
// fake and older ones, which damps oscillation. Rule: while the pool is not full, store and return the new
// volume; then with probability ½ return a random stored one and replace it with the new, else the new one.
// Contents live in plain Float32Arrays so a checkpoint can save them.
import type { Rng } from './rng';

export class ImagePool {
  private images: Float32Array[] = [];
  constructor(readonly capacity: number) {}

  query(image: Float32Array, rng: Rng): Float32Array {
    if (this.capacity === 0) return image;
    if (this.images.length < this.capacity) {
      this.images.push(image.slice());
      return image;
    }
    if (rng.next() < 0.5) {
      const i = rng.int(this.capacity);
      const old = this.images[i]!;
      this.images[i] = image.slice();
      return old;
    }
    return image;
  }

  get size(): number {
    return this.images.length;
  }
  contents(): readonly Float32Array[] {
    return this.images;
  }
  restore(images: Float32Array[]): void {
    this.images = images.map((x) => x.slice()).slice(0, this.capacity);
  }
}
