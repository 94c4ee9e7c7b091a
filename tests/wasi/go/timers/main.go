// Command timers exercises the Go scheduler's use of the clock and poll_oneoff: sleeps,
// timers, tickers, time.After in select with goroutines, context deadlines, and many
// sleeping goroutines. Its output is the same on wasip1 and natively.
package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

func within(d, lo, hi time.Duration) bool { return d >= lo && d < hi }

func main() {
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	fmt.Println("sleep 20ms:", within(time.Since(start), 20*time.Millisecond, 3*time.Second))

	// A timer that fires, one that is stopped, one that is reset.
	t1 := time.NewTimer(15 * time.Millisecond)
	t2 := time.NewTimer(time.Hour)
	fmt.Println("stop an armed timer:", t2.Stop())
	<-t1.C
	fmt.Println("timer fired")
	t1.Reset(10 * time.Millisecond)
	s := time.Now()
	<-t1.C
	fmt.Println("reset timer fired after 10ms:", within(time.Since(s), 10*time.Millisecond, 3*time.Second))

	// AfterFunc runs on its own goroutine.
	var wg sync.WaitGroup
	wg.Add(1)
	var ran atomic.Bool
	time.AfterFunc(5*time.Millisecond, func() { ran.Store(true); wg.Done() })
	wg.Wait()
	fmt.Println("AfterFunc ran:", ran.Load())

	// A ticker.
	tk := time.NewTicker(5 * time.Millisecond)
	s = time.Now()
	for i := 0; i < 5; i++ {
		<-tk.C
	}
	tk.Stop()
	fmt.Println("5 ticks of 5ms took at least 20ms:", time.Since(s) >= 20*time.Millisecond)

	// select between work and time.After, with workers that finish in a known order.
	results := make(chan string)
	for _, d := range []int{300, 30, 150} { // gaps wide enough for a loaded machine
		go func(d int) {
			time.Sleep(time.Duration(d) * time.Millisecond)
			results <- fmt.Sprintf("worker %d", d)
		}(d)
	}
	timeout := time.After(2 * time.Second)
	for i := 0; i < 3; i++ {
		select {
		case r := <-results:
			fmt.Println("got", r)
		case <-timeout:
			fmt.Println("timed out")
		}
	}
	select {
	case r := <-results:
		fmt.Println("unexpected", r)
	case <-time.After(15 * time.Millisecond):
		fmt.Println("nothing more within 15ms")
	}

	// Context deadlines.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	s = time.Now()
	<-ctx.Done()
	fmt.Println("context:", ctx.Err(), within(time.Since(s), 15*time.Millisecond, 3*time.Second))

	// Many goroutines sleeping at once.
	var sum atomic.Int64
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i%10) * time.Millisecond)
			sum.Add(int64(i))
		}(i)
	}
	wg.Wait()
	fmt.Println("200 sleepers, sum:", sum.Load())

	// Ping-pong without sleeping, and Gosched.
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for i := 0; i < 10000; i++ {
		ping <- v
		v = <-pong
		if i%1000 == 0 {
			runtime.Gosched()
		}
	}
	close(ping)
	fmt.Println("ping-pong:", v)

	// Durations measured by the monotonic clock are never negative.
	neg := 0
	prev := time.Now()
	for i := 0; i < 10000; i++ {
		now := time.Now()
		if now.Sub(prev) < 0 {
			neg++
		}
		prev = now
	}
	fmt.Println("negative intervals:", neg)
	fmt.Println("total under 10s:", time.Since(start) < 10*time.Second)
}
