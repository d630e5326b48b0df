// A trained run's G_AB as ONNX bytes: the run's config and weights (train/outputs.ts loadTrainedGenerator)
// through the layer mapping of onnx-unet.ts and the encoder of onnx-proto.ts.
import { InvalidParameterError } from '../errors';
import type { Module, UNetConfig } from '../nn/models';
import { loadTrainedGenerator } from '../train/outputs';
import { generatorConfig, normalisationOf, type TrainConfig } from '../train/config';
import { encodeOnnxModel } from './onnx-proto';
import { unetOnnxGraph, type WeightLookup } from './onnx-unet';

export const PRODUCER = 'CycleDecon';

/** Weights of a live module, by id below its name, in tfjs layout. */
export function moduleWeights(net: Module): WeightLookup {
  const byName = new Map(net.variables().map((v) => [v.name, v]));
  return (id) => {
    const v = byName.get(`${net.name}/${id}`);
    if (!v)
      throw new InvalidParameterError(
        'model',
        `the network has no weight ${net.name}/${id}`,
        'Is this run a CycleDecon U-Net generator?',
      );
    return { shape: v.shape, data: v.dataSync() as Float32Array };
  };
}

/** The ONNX bytes of a live G_AB. */
export function unetOnnxBytes(
  net: Module,
  cfg: UNetConfig,
  metadata: Record<string, string> = {},
  version = '0',
): Uint8Array {
  return encodeOnnxModel({
    graph: unetOnnxGraph(cfg, moduleWeights(net), net.name),
    producerName: PRODUCER,
    producerVersion: version,
    doc: 'CycleDecon G_AB: blind 3D deconvolution network (Lim, Lee, Chang & Ye, explicit-PSF CycleGAN). Input and output on the network scale (see metadata "normalisation").',
    metadata,
  });
}

export interface RunOnnx {
  bytes: Uint8Array;
  config: TrainConfig;
}

/** Loads the run's G_AB and returns it as ONNX, with the run's normalisation and generator in the metadata. */
export async function exportRunOnnx(runDir: string, version = '0'): Promise<RunOnnx> {
  const { gAB, config } = await loadTrainedGenerator(runDir);
  try {
    const metadata = {
      generator: JSON.stringify(generatorConfig(config)),
      normalisation: JSON.stringify(normalisationOf(config)),
      preset: config.preset,
    };
    return { bytes: unetOnnxBytes(gAB, generatorConfig(config), metadata, version), config };
  } finally {
    gAB.variables().forEach((v) => v.dispose());
  }
}
