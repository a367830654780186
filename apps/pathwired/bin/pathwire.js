#!/usr/bin/env node
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`pathwire: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
