// Channels overlaid: one maximum-intensity ray-marcher per channel, each with its own colour map, added
// together (additive blending), as fluorescence channels are shown in Fiji's composite mode.
import type { Camera, Scene } from 'three';
import type { VolumeData } from '../lib/volume';
import { RaymarchRenderer } from './raymarch';
import { defaultSettings, type RenderSettings, type VolumeRenderer } from './types';

export class OverlayRenderer implements VolumeRenderer {
  readonly mode = 'overlay' as const;
  private layers: RaymarchRenderer[] = [];
  private settings = defaultSettings();

  constructor(
    private readonly scene: Scene,
    private readonly camera: Camera,
  ) {}

  setVolume(volume: VolumeData): void {
    this.setChannels([volume]);
  }

  setChannels(volumes: readonly VolumeData[]): void {
    while (this.layers.length > volumes.length) this.layers.pop()!.dispose();
    while (this.layers.length < volumes.length)
      this.layers.push(new RaymarchRenderer('mip', this.scene, this.camera, true));
    volumes.forEach((v, i) => this.layers[i]!.setVolume(v));
    this.update({});
  }

  /** The colour of channel i: the settings' list, cycled. */
  colourOf(i: number): RenderSettings['colormap'] {
    const list = this.settings.channelColormaps;
    return list.length ? list[i % list.length]! : 'gray';
  }

  update(settings: Partial<RenderSettings>): void {
    this.settings = { ...this.settings, ...settings };
    this.layers.forEach((l, i) => l.update({ ...this.settings, colormap: this.colourOf(i) }));
  }

  /** The per-channel layers (tests read their colours and blending). */
  get channelLayers(): readonly RaymarchRenderer[] {
    return this.layers;
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
    this.layers = [];
  }
}

export const createOverlayRenderer = (scene: Scene, camera: Camera): VolumeRenderer =>
  new OverlayRenderer(scene, camera);
