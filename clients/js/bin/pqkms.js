#!/usr/bin/env node
// The `pqkms` command: the CLI bundled by scripts/build.mjs (npm ci and npm run client:build make it).
import "../dist/cli.js";
