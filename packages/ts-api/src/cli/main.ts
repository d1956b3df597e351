#!/usr/bin/env node
// Entry point of the `softmax-nn` command (package.json "bin"): softmax-nn train|predict|help.

import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2));
