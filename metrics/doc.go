// Package metrics is the arithmetic community managers report every week:
// engagement, audience growth and churn, reputation and listening, customer
// care, cost and return on investment, and the statistics that make
// comparisons honest.
//
// Every function is pure: no I/O, no clock, no package state. Each doc
// comment gives the formula and the published convention it follows.
package metrics
