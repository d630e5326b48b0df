// The BioImage Model Zoo description (rdf.yaml, model spec 0.5, https://bioimage.io/spec) of an exported G_AB:
// tensors with batch / channel / z / y / x axes and the voxel size the model was trained at, the normalisation
// inference applies as pre-processing (scale_range over z, y, x per sample, then clip when training clipped),
// ONNX weights, the learned PSF as an attachment, and the paper's citation. Pure data: bioimageio.ts writes files.
import type { ScaleMode } from '../normalise/normaliser';
import type { UNetConfig } from '../nn/models/types';
import { unetSizeMultiple, unetTileHalo } from '../nn/models/unet';
import type { TrainConfig } from '../train/config';
import type { VoxelSize } from '../io/volume';
import { ONNX_OPSET } from './onnx-proto';
import { ONNX_INPUT, ONNX_OUTPUT } from './onnx-unet';
import type { YamlValue } from './yaml';

export const RDF_FORMAT_VERSION = '0.5.4';

/** The method's paper (MLMIR 2019, LNCS 11905). */
export const PAPER_CITATION = {
  text: 'Lim S., Lee S.-E., Chang S., Ye J. C. Blind Deconvolution Microscopy Using Cycle Consistent CNN with Explicit PSF Layer. Machine Learning for Medical Image Reconstruction (MLMIR 2019), LNCS 11905, pp. 173-180, Springer (2019).',
  doi: '10.1007/978-3-030-33843-5_16',
  url: 'https://arxiv.org/abs/1904.02910',
};

/** bioimage.io space units (SI names) for the units CycleDecon stacks carry; undefined for uncalibrated ('px'). */
export function spaceUnit(unit: string): string | undefined {
  const u = unit.trim().toLowerCase();
  if (['µm', 'μm', 'um', 'micron', 'microns', 'micrometer', 'micrometre'].includes(u)) return 'micrometer';
  if (['nm', 'nanometer', 'nanometre'].includes(u)) return 'nanometer';
  if (['mm', 'millimeter', 'millimetre'].includes(u)) return 'millimeter';
  if (['å', 'angstrom'].includes(u)) return 'angstrom';
  return undefined;
}

/** A file of the package with its checksum. */
export interface PackagedFile {
  source: string;
  sha256: string;
}

export interface RdfFacts {
  /** Shown as the model's name: letters, digits, space and _+-() only (spec 0.5), 5 to 128 characters. */
  name: string;
  description: string;
  authors: { name: string }[];
  /** SPDX identifier. */
  license: string;
  version: string;
  generator: UNetConfig;
  normalisation: TrainConfig['normalisation'] & ScaleMode;
  /** Voxel size of the training stacks (domain.json); null for a run without one. */
  voxelSize: VoxelSize | null;
  files: {
    weights: PackagedFile;
    documentation: string;
    testInput: PackagedFile;
    testOutput: PackagedFile;
    psf?: PackagedFile;
  };
  /** Extra facts for config.cycledecon (run, preset, training steps…). */
  extra?: Record<string, YamlValue>;
}

/** Letters, digits, space and _+-() only, 5 to 128 characters (the spec's rule for a model's name). */
export function rdfName(raw: string): string {
  const clean = raw
    .replace(/[^A-Za-z0-9_+\-() ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 128);
  return clean.length >= 5 ? clean : `CycleDecon ${clean}`.trim();
}

function spaceAxes(facts: RdfFacts, size: (id: string) => YamlValue): YamlValue[] {
  const v = facts.voxelSize;
  const unit = v ? spaceUnit(v.unit) : undefined;
  return (['z', 'y', 'x'] as const).map((id) => ({
    type: 'space',
    id,
    size: size(id),
    ...(unit && v ? { unit, scale: v[id] } : {}),
  }));
}

/** The rdf.yaml content as plain data (toYaml writes it). */
export function modelRdf(facts: RdfFacts): { [key: string]: YamlValue } {
  const m = unetSizeMultiple(facts.generator.levels);
  const n = facts.normalisation;
  const preprocessing: YamlValue[] = [
    {
      id: 'scale_range',
      kwargs: { axes: ['z', 'y', 'x'], min_percentile: n.lowPercentile, max_percentile: n.highPercentile, eps: 1e-6 },
    },
    ...(n.clip ? [{ id: 'clip', kwargs: { min: 0, max: 1 } }] : []),
  ];
  const file = (f: PackagedFile) => ({ source: f.source, sha256: f.sha256 });
  return {
    type: 'model',
    format_version: RDF_FORMAT_VERSION,
    name: rdfName(facts.name),
    description: facts.description,
    authors: facts.authors,
    cite: [PAPER_CITATION],
    license: facts.license,
    version: facts.version,
    documentation: facts.files.documentation,
    tags: [
      'deconvolution',
      'fluorescence-light-microscopy',
      '3d',
      'unet',
      'cyclegan',
      'blind-deconvolution',
      'cycledecon',
      'onnx',
    ],
    inputs: [
      {
        id: ONNX_INPUT,
        description: 'blurred fluorescence stack, one channel; mapped to the network scale by the pre-processing',
        axes: [
          { type: 'batch' },
          { type: 'channel', channel_names: ['blurred'] },
          ...spaceAxes(facts, () => ({ min: m, step: m })),
        ],
        test_tensor: file(facts.files.testInput),
        data: { type: 'float32' },
        preprocessing,
      },
    ],
    outputs: [
      {
        id: ONNX_OUTPUT,
        description:
          "deconvolved stack on the network scale (0 = the input's low percentile, 1 = its high percentile); see the documentation for input units",
        axes: [
          { type: 'batch' },
          { type: 'channel', channel_names: ['deconvolved'] },
          ...spaceAxes(facts, (id) => ({ tensor_id: ONNX_INPUT, axis_id: id })),
        ],
        test_tensor: file(facts.files.testOutput),
        data: { type: 'float32' },
      },
    ],
    weights: { onnx: { ...file(facts.files.weights), opset_version: ONNX_OPSET } },
    attachments: facts.files.psf ? [file(facts.files.psf)] : [],
    config: {
      cycledecon: {
        generator: { ...facts.generator } as YamlValue,
        normalisation: { ...n } as YamlValue,
        size_multiple: m,
        tile_halo: unetTileHalo(facts.generator),
        trained_voxel_size: facts.voxelSize ? { ...facts.voxelSize } : null,
        learned_psf: facts.files.psf?.source ?? null,
        ...(facts.extra ?? {}),
      },
    },
  };
}
