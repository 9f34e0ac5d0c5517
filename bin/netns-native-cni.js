#!/usr/bin/env node
// The CNI plugin executable (docs/cni.md): install or link it into the runtime's CNI bin
// directory (/opt/cni/bin) and name it in a network configuration's "type".
'use strict';
require('../dist/lib/cni/main.js').main();
