// Package scheduling runs a brand's content calendar: posts scheduled to one
// or more accounts, approvals, weekly posting slots in the account's time
// zone, queues, recurring and evergreen posts and blackout windows.
//
// Its contract is that a scheduled post survives a restart or a crash and is
// never published twice. It publishes through connectors.
package scheduling
