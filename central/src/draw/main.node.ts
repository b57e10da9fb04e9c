import { runDrawCli } from './cli.node.ts';

// The kawei-draw command (central/bin/kawei-draw.mjs, `npm run draw --`).
process.exitCode = runDrawCli(
  process.argv.slice(2),
  (s) => process.stdout.write(s),
  (s) => process.stderr.write(s),
);
