// A CLI subcommand: its options are parsed with node:util parseArgs, and run() returns the exit code.
import type { ParseArgsConfig } from 'node:util';

export interface CliContext {
  /** Write a line to stdout. */
  out(line: string): void;
  /** Write a line to stderr. */
  err(line: string): void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  interactive: boolean;
  /** Aborted on SIGINT or SIGTERM so long jobs can stop cleanly. */
  signal: AbortSignal;
  /** The signal that aborted `signal`, if one did (SIGTERM asks train to checkpoint and exit for a requeue). */
  stoppedBy?(): NodeJS.Signals | undefined;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  summary: string;
  /** Usage line(s) after `cycledecon <name>`, and a description of each option. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}
