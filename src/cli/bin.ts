#!/usr/bin/env node
/** @module cli/bin — the `konnect-audit` executable. */
import { runCli } from './main.js';
import { processContext } from './context.js';

process.exitCode = await runCli(processContext(process.argv.slice(2)));
