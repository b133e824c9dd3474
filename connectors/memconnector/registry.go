package memconnector

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
)

func init() { connectors.Register("mem", Open) }

// optionNames are the options Open accepts.
var optionNames = []string{"followers", "pending", "profile", "seed", "simulate", "start"}

// Open is the OpenFunc registered as "mem". Each call creates a fresh
// Network (nothing is shared between calls) and returns the driver of one
// account on it; reach the Network with the driver's (or the Account's)
// As(&network).
//
// cfg.Account is the account's handle; when empty, cfg.Server is used (the
// host of "mem://brand"), and then "brand". cfg.Now is the clock. cfg.Options
// (the query of a connection URL) accepts:
//
//	seed       int64, seeds Simulate (default 0)
//	profile    copies a real network's limits: "x", "bluesky", "instagram"...
//	pending    PendingChecks: publishes with media go live after that many checks
//	simulate   days of simulated audience to create before returning (default 0)
//	start      RFC 3339 start of the simulation (default: simulate days before now)
//	followers  initial followers of the simulation (default 500)
//
// Other options are an error.
func Open(ctx context.Context, cfg driver.Config) (driver.Driver, error) {
	opts := NetworkOptions{Now: cfg.Now}
	var sim SimOptions
	days := 0
	keys := make([]string, 0, len(cfg.Options))
	for k := range cfg.Options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := cfg.Options[k]
		var err error
		switch k {
		case "seed":
			opts.Seed, err = strconv.ParseInt(v, 10, 64)
		case "profile":
			opts.Profile = v
		case "pending":
			opts.PendingChecks, err = strconv.Atoi(v)
			if err == nil && opts.PendingChecks < 0 {
				err = fmt.Errorf("negative")
			}
		case "simulate":
			days, err = strconv.Atoi(v)
			if err == nil && (days < 0 || days > maxSimDays) {
				err = fmt.Errorf("want 0 to %d days", maxSimDays)
			}
		case "start":
			sim.Start, err = time.Parse(time.RFC3339, v)
		case "followers":
			sim.Followers, err = strconv.Atoi(v)
			if err == nil && sim.Followers < 0 {
				err = fmt.Errorf("negative")
			}
		default:
			return nil, fmt.Errorf("memconnector: unknown option %q (known: %s)", k, strings.Join(optionNames, ", "))
		}
		if err != nil {
			return nil, fmt.Errorf("memconnector: option %s=%q: %w", k, v, err)
		}
	}
	handle := cfg.Account
	if handle == "" {
		handle = strings.Trim(cfg.Server, "/")
	}
	if handle == "" {
		handle = "brand"
	}
	n := NewNetwork(&opts)
	d, err := n.Driver(handle)
	if err != nil {
		return nil, err
	}
	if days > 0 {
		sim.Account = handle
		sim.Days = days
		if _, err := n.Simulate(ctx, sim); err != nil {
			return nil, err
		}
	}
	return d, nil
}
