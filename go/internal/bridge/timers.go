package bridge

import (
	"context"
	"math"
	"sync"
	"time"
)

// deadline cancels a request's context with a fixed cause when it expires.
// arm (re)starts it, stop disarms it; both are safe from any goroutine. A
// timer that already fired but lost the race with stop/arm does nothing,
// thanks to the generation counter.
type deadline struct {
	limit   time.Duration
	enabled bool // false: no limit (JSON null)
	cause   *Error
	cancel  context.CancelCauseFunc

	mu       sync.Mutex
	timer    *time.Timer
	gen      uint64
	shutdown bool
}

func newDeadline(limit *time.Duration, cause *Error, cancel context.CancelCauseFunc) *deadline {
	d := &deadline{cause: cause, cancel: cancel}
	if limit != nil {
		d.limit, d.enabled = *limit, true
	}
	return d
}

func (d *deadline) arm() {
	if !d.enabled {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shutdown {
		return
	}
	d.gen++
	gen := d.gen
	if d.timer != nil {
		d.timer.Stop()
	}
	d.timer = time.AfterFunc(d.limit, func() {
		d.mu.Lock()
		live := d.gen == gen && !d.shutdown
		d.mu.Unlock()
		if live {
			d.cancel(d.cause)
		}
	})
}

func (d *deadline) stop() {
	if !d.enabled {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

// close stops the deadline for good; later arm calls are no-ops.
func (d *deadline) close() {
	d.stop()
	d.mu.Lock()
	d.shutdown = true
	d.mu.Unlock()
}

// seconds converts a JSON timeout (seconds, may be fractional) to a duration.
// nil stays nil (no limit). Sub-second values keep their precision.
func seconds(field string, v *float64) (*time.Duration, error) {
	if v == nil {
		return nil, nil
	}
	if math.IsNaN(*v) || *v < 0 || *v > 1e9 {
		return nil, newError(KindInvalidConfig, "timeout.%s must be a number of seconds >= 0, got %v", field, *v)
	}
	d := time.Duration(*v * float64(time.Second))
	return &d, nil
}
