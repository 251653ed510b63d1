using ApprovalTests.Reporters;

// A snapshot mismatch fails the test and leaves X.received.cs beside X.approved.cs; no diff tool is ever launched.
[assembly: UseReporter(typeof(QuietReporter))]
