// Runs the CLI in a child process and says "ready" once its signal handlers are in place (runCli installs
// them before its first await), so a test can signal it at a known moment. Usage: tsx cli-child.ts <argv…>
import { runCli } from '../../../src-main/cli/main';

const done = runCli(process.argv.slice(2));
process.stdout.write('ready\n');
done.then((code) => {
  process.exitCode = code;
});
