// Package moderation screens comments and messages in French and English:
// a Pipeline of Stages records labels, scores and reasons about an Item and
// decides whether to allow it, hold it for review, hide it or delete it,
// with an explanation a community manager can read.
//
// Its aim is to remove spam, scams, abuse, hate and threats without hiding
// legitimate criticism. It depends on no other cmkit package.
package moderation
