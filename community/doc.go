// Package community models the people a brand talks to and the work a
// community manager does with them: members and their identities across
// networks, segments, lifecycle (newcomer, regular, advocate, churned), the
// shared inbox of questions and requests followed to resolution, contests,
// polls and events, and social listening.
//
// It builds on connectors for reaching networks, moderation for screening
// what arrives and metrics for measuring it.
package community
