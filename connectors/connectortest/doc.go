// Package connectortest is the conformance suite every connector passes.
//
// A connector's test builds a Harness over a fake server reproducing the
// network's documented API (or a real server on loopback) and calls
// RunConformanceTests:
//
//	func TestConformance(t *testing.T) {
//		connectortest.RunConformanceTests(t, newHarness(t))
//	}
//
// The suite exercises every capability the harness declares, through the
// raw driver (the contract of package driver: listings oldest first with
// no item repeated or skipped across pages, NotFound for unknown IDs,
// rate-limit details on 429...) and through a connectors.Account
// (capabilities, validation before any request, retries, error codes).
// Each check is a named subtest; capabilities the harness does not declare
// must be reported as unsupported without a request.
//
// # Harness
//
// Open returns a driver on a fresh account; Interact makes another user
// comment, reply, mention or write to the account; Fail makes the next
// requests fail as the network would (429 with its headers, 401, 503);
// Requests counts the requests that reached the network, so the suite can
// check that invalid content and unsupported calls cost none and that an
// expired token is not retried.
//
// # Test doubles
//
// RunConformanceTests takes a testing.TB and uses only its Helper, Errorf,
// Fatalf, Logf, Skipf and Failed methods. With a *testing.T (anything with
// a Run method) each check is a subtest; with another testing.TB the checks
// run one after the other, each in its own goroutine, so a double's
// FailNow or SkipNow may end a check with runtime.Goexit.
package connectortest
