// Package connectors is how cmkit talks to social networks, blogs, forums
// and chat platforms.
//
// Users hold a concrete Account (one authenticated presence on one network)
// with portable types for posts, media, interactions and metrics; connector
// authors implement the small interfaces in connectors/driver.
package connectors
