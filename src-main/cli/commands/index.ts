// Every CLI subcommand, in the order `cycledecon --help` lists them. Each lives in its own file.
import type { Command } from '../command';
import { infoCommand } from './info';
import { convertCommand } from './convert';
import { backendsCommand } from './backends';
import { trainCommand } from './train';
import { deconvolveCommand } from './deconvolve';
import { reportCommand } from './report';
import { serveCommand } from './serve';
import { psfCommand } from './psf';
import { rlCommand } from './rl';
import { metricsCommand } from './metrics';
import { psfInfoCommand } from './psf-info';
import { psfFitCommand } from './psf-fit';
import { synthCommand } from './synth';
import { workerCommand } from './worker';
import { exportCommand } from './export';

export const commands: Command[] = [
  infoCommand,
  convertCommand,
  backendsCommand,
  trainCommand,
  deconvolveCommand,
  reportCommand,
  serveCommand,
  psfCommand,
  rlCommand,
  metricsCommand,
  psfInfoCommand,
  psfFitCommand,
  synthCommand,
  workerCommand,
  exportCommand,
];
