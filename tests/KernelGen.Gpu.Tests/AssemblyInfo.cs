using ApprovalTests.Reporters;

// Snapshot mismatches fail the test and leave a .received file; never launch a diff tool (CI has no one to look).
[assembly: UseReporter(typeof(QuietReporter))]
