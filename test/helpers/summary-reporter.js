// Prints the last line CI reads: "N passed, N failed" (skipped tests are listed by jest above).
// Also writes it to $NETNS_NATIVE_SUMMARY when set, for .ci/run.
'use strict';
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    // A suite that failed to run at all counts as a failure even if it had no tests.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.NETNS_NATIVE_SUMMARY) fs.writeFileSync(process.env.NETNS_NATIVE_SUMMARY, `${line}\n`);
  }
}
module.exports = SummaryReporter;
