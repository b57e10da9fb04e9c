import { runCli } from './cli/run-cli.node.ts';

/** The kawei-central command (see USAGE in cli/run-cli.node.ts); run with `node --import tsx`. */
process.exitCode = await runCli(process.argv.slice(2), process);
