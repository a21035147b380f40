#!/usr/bin/env node
// Development shim: runs the compiled commands after `npm run build`.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
