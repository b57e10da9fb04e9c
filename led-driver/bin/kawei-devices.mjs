#!/usr/bin/env node
// The installed `kawei-devices` command: the CLI is TypeScript, so load tsx's ESM hooks first.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.node.ts');
