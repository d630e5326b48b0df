// Entry point of the `cycledecon` command line.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { commands } from './commands/index';
import type { CliContext } from './command';
import { isCycleDeconError, MissingArgumentError } from '../core/errors';
import { takeThreadsFlag, THREADS_USAGE } from './threads';
import { validateFlags } from '../core/flags';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'cycledecon — blind 3D deconvolution for fluorescence microscopy',
    '',
    'Usage: cycledecon <command> [options]   (cycledecon <command> --help for details; cycledecon --version)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `  ${THREADS_USAGE}`,
  ].join('\n');
}

/** The package version: package.json sits two levels above both src-main/cli/main.ts and the bundled dist/cli/main.js. */
export function cliVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string })
        .version ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

export async function runCli(argv: string[], ctx?: Partial<CliContext>): Promise<number> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const context: CliContext = {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    interactive: Boolean(process.stderr.isTTY),
    signal: controller.signal,
    stoppedBy: () => stoppedBy,
    ...ctx,
  };
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    context.out(`cycledecon ${cliVersion()}`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    context.out(help());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    context.err(`cycledecon: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    context.out(`Usage: cycledecon ${command.name} ${command.usage}`);
    return 0;
  }
  // SIGTERM (kill, a service manager, a closing terminal) stops as cleanly as Ctrl-C: the command sees the abort,
  // its atomic writes remove their temp files. A second signal of either kind gets the default: exit at once.
  const onSignal = (sig: NodeJS.Signals) => {
    stoppedBy = sig;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const parsed = parseArgs({
      args: takeThreadsFlag(rest),
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
    validateFlags(); // a bad CYCLEDECON_* value stops here, named, before any work
    return await command.run(parsed as never, context);
  } catch (e) {
    if (e instanceof MissingArgumentError) {
      // A usage error, like an unknown option: exit 2 with the usage, as parseArgs' own errors do.
      context.err(
        `error: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}\nUsage: cycledecon ${command.name} ${command.usage.split('\n')[0]}`,
      );
      return 2;
    }
    if (isCycleDeconError(e)) {
      context.err(`error: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
      // 128 + the signal number, as a shell reports a command the signal ended.
      return e.code === 'CANCELLED' ? (stoppedBy === 'SIGTERM' ? 143 : 130) : 1;
    }
    const err = e as { code?: string; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
      context.err(`error: ${err.message}\nUsage: cycledecon ${command.name} ${command.usage}`);
      return 2;
    }
    context.err(`internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 70;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

const isMain = process.argv[1] && /cycledecon(\.js)?$|cli[/\\]main\.(ts|js)$/.test(process.argv[1]);
if (isMain) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
