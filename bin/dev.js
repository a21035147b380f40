#!/usr/bin/env node
// Development shim: runs the compiled commands after `npm run build`.
'use strict';
const { join } = require('node:path');

import('@oclif/core').then(({ execute }) =>
  execute({ development: true, dir: join(__dirname, '..') }),
);
