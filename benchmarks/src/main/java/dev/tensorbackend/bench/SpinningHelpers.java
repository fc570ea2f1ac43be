package dev.tensorbackend.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * {@code threads - 1} helper threads that wait for work by spinning, never parking, and the
 * calling thread as the first of {@code threads} workers: {@link #run} hands out parts as
 * quickly as the CPU backend's own pool does (its helpers spin between calls too, CpuPool),
 * so a baseline measured with it times its work, not a thread's wake-up. With a parking
 * executor, waking the helper took longer than a 1024^2 float copy: the copy measured about
 * 85 GB/s on two threads, where one thread alone copied 98 and two spinning ones 196
 * (2026-11-27, this machine).
 *
 * <p>The helpers keep one core busy from construction to {@link #close}: for a benchmark's
 * trial only. Every so many spins a waiting thread yields, so that more threads than cores
 * (a thread count set above the processor count) still take turns instead of each waiting
 * out the others' time slices (3 threads on 2 cores: 120 ms a call without it).
 */
final class SpinningHelpers implements AutoCloseable {
    private static final int YIELD_EVERY = 1024;
    private final Thread[] helpers;
    private final AtomicInteger finished = new AtomicInteger();
    /** Set before {@link #round} is raised, read after it is seen: the volatile round orders both. */
    private IntConsumer work;
    private volatile long round;
    private volatile boolean closed;
    private volatile Throwable failure;

    SpinningHelpers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        helpers = new Thread[threads - 1];
        for (int h = 0; h < helpers.length; h++) {
            int part = h + 1;
            helpers[h] = new Thread(() -> serve(part), "spinning-helper-" + part);
            helpers[h].setDaemon(true);
            helpers[h].start();
        }
    }

    int threads() {
        return helpers.length + 1;
    }

    /** part.accept(p) for every p in [0, threads()), part 0 on the calling thread; returns when all are done. */
    void run(IntConsumer part) {
        if (closed) {
            throw new IllegalStateException("spinning helpers already closed");
        }
        work = part;
        failure = null;
        finished.set(0);
        round++; // the volatile write that publishes work and the reset count
        try {
            part.accept(0);
        } finally { // the helpers finish this round before the next can start, even if part 0 threw
            for (int spins = 1; finished.get() < helpers.length; spins++) {
                pause(spins);
            }
        }
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("a helper's part failed", t);
        }
    }

    private void serve(int part) {
        long seen = 0;
        for (int spins = 1; !closed; spins++) {
            long r = round;
            if (r == seen) {
                pause(spins);
                continue;
            }
            seen = r;
            spins = 0;
            try {
                work.accept(part);
            } catch (Throwable t) {
                failure = t;
            }
            finished.incrementAndGet();
        }
    }

    private static void pause(int spins) {
        if (spins % YIELD_EVERY == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        for (Thread h : helpers) {
            h.join();
        }
    }
}
