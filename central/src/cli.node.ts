import { runCli } from '@kawei/central/cli/run-cli.node';

/** The kawei-central command (see USAGE in cli/run-cli.node.ts); run with `node --import tsx`. */
process.exitCode = await runCli(process.argv.slice(2), process);
