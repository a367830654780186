#!/usr/bin/env node
import { main } from '../dist/cli.js';

// Exit explicitly: after `up` has brought everything down, nothing may keep the process alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`pathwire: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
