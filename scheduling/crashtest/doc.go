// Package crashtest holds the scheduler's crash test, which runs with
// go test ./scheduling/crashtest/ (and as part of go test ./...): a child
// process running a scheduling.Scheduler on a SQLite database
// (scheduling/sqlitestore) is killed with SIGKILL at random points while
// it publishes 1,000 posts to a fake network served over HTTP, then
// restarted; the test checks that every post was published exactly once
// and recorded as Published with the network's ID.
//
// The fake network records every call. Half its accounts honour an
// Idempotency-Key header as Mastodon does; the other half do not, and the
// test driver reconciles through a search endpoint (driver.PostFinder), so
// both recovery paths of the scheduler run. The child uses a 2-second
// lease, so the targets a killed child held are reclaimed, with an unknown
// outcome, by its successor.
//
// The package has no API: everything is in its tests.
package crashtest
