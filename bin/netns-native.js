#!/usr/bin/env node
// The `netns-native` command (package.json "bin"): lib/cli/main.ts, compiled.
'use strict';
require('../dist/lib/cli/main.js').run();
