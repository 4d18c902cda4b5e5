// Prints one closing line CI can read: "jest: N passed, N failed, N skipped".
// Suites that failed to run at all count as failed tests, so a broken file cannot pass silently.
// Jest's own summary is printed after the reporters run, so the line is written at process exit.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
