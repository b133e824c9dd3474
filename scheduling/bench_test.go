package scheduling_test

import (
	"context"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
)

// noopDriver publishes instantly. onPublish, if set, sees each post.
type noopDriver struct {
	n         atomic.Int64
	onPublish func(p *driver.Post)
}

func (d *noopDriver) Describe(context.Context) (driver.Description, error) {
	return driver.Description{Network: "noop", Idempotent: true, Limits: driver.Limits{MaxText: 500, NoMedia: true}}, nil
}

func (d *noopDriver) Publish(_ context.Context, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	d.n.Add(1)
	if d.onPublish != nil {
		d.onPublish(p)
	}
	return driver.PublishResult{Status: driver.Published, ID: o.IdempotencyKey}, nil
}

func benchScheduler(b *testing.B, d *noopDriver, clock scheduling.Clock, workers int) (*scheduling.Scheduler, *memstore.Store) {
	b.Helper()
	ctx := context.Background()
	accounts := map[string]*connectors.Account{}
	for i := range 10 {
		a, err := connectors.NewAccount(ctx, d, nil)
		if err != nil {
			b.Fatal(err)
		}
		accounts["acct"+strconv.Itoa(i)] = a
	}
	store := memstore.New()
	s, err := scheduling.New(scheduling.Config{Store: store, Accounts: scheduling.AccountMap(accounts), Clock: clock,
		Workers: workers, BatchSize: 1024, Owner: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return s, store
}

var accountIDs = func() []string {
	out := make([]string, 10)
	for i := range out {
		out[i] = "acct" + strconv.Itoa(i)
	}
	return out
}()

// cpuTime is the process's user+system CPU time: under a loaded machine
// it measures the work done better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// BenchmarkCreate schedules posts (validated, placed, stored with their
// audit entries) and reports the heap each one holds.
func BenchmarkCreate(b *testing.B) {
	ctx := context.Background()
	clock := scheduling.NewFakeClock(monday)
	s, _ := benchScheduler(b, &noopDriver{}, clock, 1)
	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = "Post du jour numéro " + strconv.Itoa(i) + " #promo"
	}
	before := heapInUse()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _, err := s.Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: texts[i%len(texts)]},
			Targets: []scheduling.TargetSpec{{AccountID: accountIDs[i%10], At: monday.Add(time.Duration(i) * time.Second)}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(heapInUse()-before)/float64(b.N), "heap-B/post")
	runtime.KeepAlive(s)
}

// BenchmarkDispatch publishes b.N due posts through the worker pool
// (claim in batches, publish through connectors.Account, group commit).
func BenchmarkDispatch(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			ctx := context.Background()
			clock := scheduling.NewFakeClock(monday)
			d := &noopDriver{}
			s, _ := benchScheduler(b, d, clock, workers)
			for i := 0; i < b.N; i++ {
				_, _, err := s.Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "bonjour"},
					Targets: []scheduling.TargetSpec{{AccountID: accountIDs[i%10], At: monday.Add(time.Duration(i%1000) * time.Millisecond)}}})
				if err != nil {
					b.Fatal(err)
				}
			}
			clock.Advance(time.Second)
			done := make(chan struct{})
			var once sync.Once
			d.onPublish = func(*driver.Post) {
				if d.n.Load() == int64(b.N) {
					once.Do(func() { close(done) })
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			start, cpu := time.Now(), cpuTime()
			if err := s.Start(ctx); err != nil {
				b.Fatal(err)
			}
			<-done
			el, cpuEl := time.Since(start), cpuTime()-cpu
			b.StopTimer()
			_ = s.Stop(ctx)
			b.ReportMetric(float64(b.N)/el.Seconds(), "dispatches/s")
			b.ReportMetric(float64(b.N)/cpuEl.Seconds(), "dispatches/cpu-s")
		})
	}
}

// BenchmarkRunDue is the synchronous path: one goroutine claims,
// publishes and records.
func BenchmarkRunDue(b *testing.B) {
	ctx := context.Background()
	clock := scheduling.NewFakeClock(monday)
	s, _ := benchScheduler(b, &noopDriver{}, clock, 1)
	for i := 0; i < b.N; i++ {
		_, _, err := s.Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "bonjour"},
			Targets: []scheduling.TargetSpec{{AccountID: accountIDs[i%10], Now: true}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	n, err := s.RunDue(ctx)
	if err != nil || n != b.N {
		b.Fatal(n, err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "dispatches/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu).Seconds(), "dispatches/cpu-s")
}

// offsetClock is the real clock shifted by a fixed offset, so posts
// created before a run can fall due during it.
type offsetClock struct{ off time.Duration }

func (c offsetClock) Now() time.Time { return time.Now().Add(c.off) }
func (c offsetClock) AfterFunc(d time.Duration, f func()) scheduling.Timer {
	return time.AfterFunc(d, f)
}

// BenchmarkMillion schedules one million posts in memory, then measures
// (1) dispatching them all, due at once, and (2) the lateness of due posts
// under load: 200,000 posts due at 100,000 a second, each post's lateness
// (publish call − due instant, on the real clock) recorded in a
// preallocated slice; p50 and p99 are reported.
func BenchmarkMillion(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		texts := make([]string, n)
		for i := range texts {
			texts[i] = strconv.Itoa(i)
		}
		d := &noopDriver{}
		clock := scheduling.NewFakeClock(monday)
		s, _ := benchScheduler(b, d, clock, runtime.GOMAXPROCS(0))
		before := heapInUse()
		b.StartTimer()
		start := time.Now()
		for i := range n {
			_, _, err := s.Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: texts[i]},
				Targets: []scheduling.TargetSpec{{AccountID: accountIDs[i%10], At: monday.Add(time.Duration(i%3600) * time.Second)}}})
			if err != nil {
				b.Fatal(err)
			}
		}
		created := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(heapInUse()-before)/n, "heap-B/post")
		b.ReportMetric(n/created.Seconds(), "creates/s")

		done := make(chan struct{})
		var once sync.Once
		d.onPublish = func(*driver.Post) {
			if d.n.Load() == n {
				once.Do(func() { close(done) })
			}
		}
		clock.Advance(time.Hour)
		b.StartTimer()
		start, cpu := time.Now(), cpuTime()
		if err := s.Start(ctx); err != nil {
			b.Fatal(err)
		}
		<-done
		el, cpuEl := time.Since(start), cpuTime()-cpu
		b.StopTimer()
		_ = s.Stop(ctx)
		b.ReportMetric(n/el.Seconds(), "dispatches/s")
		b.ReportMetric(n/cpuEl.Seconds(), "dispatches/cpu-s")

		b.ReportMetric(lateness(b, 200_000, 100_000)/1e6, "p99-late-ms")
		b.StartTimer()
	}
}

// lateness schedules count posts due at rate a second on the real clock
// and returns the p99 lateness in nanoseconds.
func lateness(b *testing.B, count, rate int) float64 {
	late := latenessRaw(b, count, rate)
	slices.Sort(late)
	b.ReportMetric(float64(late[count/2])/1e6, "p50-late-ms")
	return float64(late[count*99/100])
}

// latenessRaw returns each post's lateness, in due order.
func latenessRaw(b *testing.B, count, rate int) []time.Duration {
	ctx := context.Background()
	clk := &offsetClock{}
	d := &noopDriver{}
	s, _ := benchScheduler(b, d, clk, runtime.GOMAXPROCS(0))
	late := make([]time.Duration, count)
	dues := make([]time.Time, count)
	texts := make([]string, count)
	for i := range texts {
		texts[i] = strconv.Itoa(i)
	}
	// Create them due in the future of the shifted clock, then shift it so
	// the first falls due 100ms after the start.
	base := time.Now().Add(time.Hour)
	step := time.Second / time.Duration(rate)
	for i := range count {
		dues[i] = base.Add(time.Duration(i) * step)
		if _, _, err := s.Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: texts[i]},
			Targets: []scheduling.TargetSpec{{AccountID: accountIDs[i%10], At: dues[i]}}}); err != nil {
			b.Fatal(err)
		}
	}
	var seen atomic.Int64
	done := make(chan struct{})
	d.onPublish = func(p *driver.Post) {
		i, _ := strconv.Atoi(p.Text)
		late[i] = clk.Now().Sub(dues[i])
		if seen.Add(1) == int64(count) {
			close(done)
		}
	}
	runtime.GC()
	clk.off = time.Until(base.Add(-100 * time.Millisecond))
	if err := s.Start(ctx); err != nil {
		b.Fatal(err)
	}
	<-done
	_ = s.Stop(ctx)
	return late
}

// BenchmarkLateness is the lateness half of BenchmarkMillion on its own:
// 200,000 posts due at 100,000 a second on the real clock, with the
// default GC target and with GOGC=400 (the live heap of scheduled posts is
// large and pointer-dense: marking it is what delays dispatch).
func BenchmarkLateness(b *testing.B) {
	for _, gogc := range []int{100, 400} {
		b.Run("gogc="+strconv.Itoa(gogc), func(b *testing.B) {
			defer debug.SetGCPercent(debug.SetGCPercent(gogc))
			for i := 0; i < b.N; i++ {
				b.ReportMetric(lateness(b, 200_000, 100_000)/1e6, "p99-late-ms")
			}
		})
	}
}
