// Shared ray-marching renderer: a proxy box with a Data3DTexture; MIP and isosurface differ only in the
// fragment shader and their uniforms. Volumes are uploaded as 8-bit normalised to their own min/max;
// contrast is applied in the shader so changing it never re-uploads the texture.
import {
  AdditiveBlending,
  BackSide,
  BoxGeometry,
  ClampToEdgeWrapping,
  Data3DTexture,
  DataTexture,
  GLSL3,
  LinearFilter,
  Mesh,
  RedFormat,
  RGBAFormat,
  ShaderMaterial,
  UnsignedByteType,
  Vector3,
  type Camera,
  type Scene,
} from 'three';
import { colormap } from '../lib/display';
import type { VolumeData } from '../lib/volume';
import { isoFragment, mipFragment, vertexShader } from './shaders';
import { defaultSettings, type RenderMode, type RenderSettings, type VolumeRenderer } from './types';

/** Bytes 0..255 of a float volume normalised to [min, max]. */
export function toBytes(v: VolumeData): Uint8Array {
  const out = new Uint8Array(v.data.length);
  let lo = Infinity,
    hi = -Infinity;
  for (const x of v.data) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const s = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < out.length; i++) out[i] = Math.round((v.data[i]! - lo) * s);
  return out;
}

/** Mesh scale for a physical extent: the longest side is 1. */
export function physicalScale(v: VolumeData): [number, number, number] {
  const [nz, ny, nx] = v.shape;
  const ex = nx * v.voxelSize.x,
    ey = ny * v.voxelSize.y,
    ez = nz * v.voxelSize.z;
  const m = Math.max(ex, ey, ez);
  return [ex / m, ey / m, ez / m];
}

function lutTexture(settings: RenderSettings): DataTexture {
  const l = colormap(settings.colormap);
  const rgba = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    rgba.set([l[i * 3]!, l[i * 3 + 1]!, l[i * 3 + 2]!, 255], i * 4);
  }
  const t = new DataTexture(rgba, 256, 1, RGBAFormat, UnsignedByteType);
  t.magFilter = LinearFilter;
  t.minFilter = LinearFilter;
  t.needsUpdate = true;
  return t;
}

/** The shaders' uniforms, typed here so updates need no lookups in ShaderMaterial's string-keyed table. */
function shaderUniforms(lut: DataTexture) {
  return {
    volume: { value: null as Data3DTexture | null },
    lut: { value: lut },
    cameraPos: { value: new Vector3() },
    clipMin: { value: new Vector3(0, 0, 0) },
    clipMax: { value: new Vector3(1, 1, 1) },
    low: { value: 0 },
    high: { value: 1 },
    gamma: { value: 1 },
    steps: { value: 256 },
    isoValue: { value: 0.35 },
  };
}
type Uniforms = ReturnType<typeof shaderUniforms>;

export class RaymarchRenderer implements VolumeRenderer {
  private readonly mesh: Mesh<BoxGeometry, ShaderMaterial>;
  private texture: Data3DTexture | null = null;
  private lut: DataTexture;
  private settings = defaultSettings();
  private readonly uniforms: Uniforms;

  /** `additive`: one layer of an overlay, added onto what the other channels drew (no depth, no occlusion). */
  constructor(
    readonly mode: RenderMode,
    private readonly scene: Scene,
    private readonly camera: Camera,
    additive = false,
  ) {
    this.lut = lutTexture(this.settings);
    this.uniforms = shaderUniforms(this.lut);
    const material = new ShaderMaterial({
      ...(additive ? { transparent: true, blending: AdditiveBlending, depthTest: false, depthWrite: false } : {}),
      glslVersion: GLSL3,
      vertexShader,
      fragmentShader: mode === 'iso' ? isoFragment : mipFragment,
      side: BackSide,
      uniforms: this.uniforms,
    });
    this.mesh = new Mesh(new BoxGeometry(1, 1, 1), material);
    // The camera position in object space is what the shader marches from; refresh it every frame.
    this.mesh.onBeforeRender = () => {
      const p = this.uniforms.cameraPos.value.copy(this.camera.position);
      this.mesh.worldToLocal(p);
    };
    this.mesh.visible = false;
    scene.add(this.mesh);
  }

  setVolume(volume: VolumeData): void {
    this.texture?.dispose();
    const [nz, ny, nx] = volume.shape;
    const t = new Data3DTexture(toBytes(volume), nx, ny, nz);
    t.format = RedFormat;
    t.type = UnsignedByteType;
    t.minFilter = LinearFilter;
    t.magFilter = LinearFilter;
    t.wrapS = t.wrapT = t.wrapR = ClampToEdgeWrapping;
    t.unpackAlignment = 1;
    t.needsUpdate = true;
    this.texture = t;
    this.uniforms.volume.value = t;
    const [sx, sy, sz] = physicalScale(volume);
    // Image rows go down, three.js y goes up: mirror y so the view matches the 2D slices.
    this.mesh.scale.set(sx, -sy, sz);
    this.mesh.visible = true;
  }

  setChannels(volumes: readonly VolumeData[]): void {
    if (volumes[0]) this.setVolume(volumes[0]);
  }

  /** The colour map this layer currently draws with. */
  get colormap(): RenderSettings['colormap'] {
    return this.settings.colormap;
  }

  /** The mesh drawn (tests check its material and scale). */
  get object(): Mesh<BoxGeometry, ShaderMaterial> {
    return this.mesh;
  }

  update(settings: Partial<RenderSettings>): void {
    const prevMap = this.settings.colormap;
    this.settings = { ...this.settings, ...settings };
    const u = this.uniforms;
    const s = this.settings;
    u.low.value = s.low;
    u.high.value = s.high;
    u.gamma.value = s.gamma;
    u.steps.value = s.steps;
    u.isoValue.value = s.isoValue;
    u.clipMin.value.set(...s.clipMin);
    u.clipMax.value.set(...s.clipMax);
    if (s.colormap !== prevMap) {
      this.lut.dispose();
      this.lut = lutTexture(s);
      u.lut.value = this.lut;
    }
  }

  dispose(): void {
    this.scene.remove(this.mesh);
    this.mesh.geometry.dispose();
    this.mesh.material.dispose();
    this.texture?.dispose();
    this.lut.dispose();
  }
}

export const createMipRenderer = (scene: Scene, camera: Camera): VolumeRenderer =>
  new RaymarchRenderer('mip', scene, camera);
export const createIsoRenderer = (scene: Scene, camera: Camera): VolumeRenderer =>
  new RaymarchRenderer('iso', scene, camera);
