// Every CLI subcommand, in the order `cycledecon --help` lists them. Each lives in its own file.
import type { Command } from '../command';

export const commands: Command[] = [];
