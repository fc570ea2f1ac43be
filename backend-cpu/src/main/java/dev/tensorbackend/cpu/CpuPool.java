package dev.tensorbackend.cpu;

import dev.tensorbackend.api.BackendException;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The worker threads every fast CPU kernel shares, so that two backends (or two ops) never
 * oversubscribe the cores. Its size comes from the system property {@value #THREADS_PROPERTY}
 * (default: the number of available processors).
 *
 * <p>Work is handed out as numbered tasks; which thread runs which task varies from run to
 * run, so a task must write only its own part of the output and never race a reduction.
 * That is what makes every result independent of scheduling.
 *
 * <p>The helpers wait for the next call spinning for {@link #SPIN_NANOS} before they park:
 * a training step is dozens of short parallel ops with a little serial work between them,
 * and waking a parked thread took 7 to 40 us each time (measured, 2 cores), more than many
 * of those ops take. One call at a time uses the helpers; a call made while another runs
 * does its tasks on its own thread (still correct, just not parallel).
 */
final class CpuPool {
    static final String THREADS_PROPERTY = "tensor.cpu.threads";
    /** How long an idle helper, and a caller waiting for helpers, spin before parking. */
    static final long SPIN_NANOS = 100_000;

    /** Made on first use; not a holder class, so that a bad property is a clear error each time, not a failed class init. */
    private static CpuPool shared;

    private final int threads;
    /** threads - 1 helpers: the calling thread always works too, so progress never waits on a busy pool. */
    private final Worker[] helpers;
    /** Held by the one call whose tasks the helpers take. */
    private final AtomicBoolean inUse = new AtomicBoolean();
    /** The call the helpers work on; published with a new {@link Job#generation}. */
    private volatile Job job;
    private long generations;

    CpuPool(int threads) {
        if (threads < 1) {
            throw new BackendException("cpu: thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.helpers = new Worker[threads - 1];
        for (int h = 0; h < helpers.length; h++) {
            helpers[h] = new Worker(this);
            helpers[h].start();
        }
    }

    /** The pool sized by {@value #THREADS_PROPERTY}, created on first use. */
    static synchronized CpuPool shared() {
        if (shared == null) {
            shared = new CpuPool(configuredThreads(System.getProperty(THREADS_PROPERTY)));
        }
        return shared;
    }

    static int configuredThreads(String value) {
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the value
        }
        throw new BackendException("cpu: system property " + THREADS_PROPERTY
                + " must be a positive integer, got '" + value + "'");
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, tasks) and returns when all have
     * finished; the first failure is rethrown. Called from one of the pool's own workers
     * (a kernel nested in another), or while another call has the helpers, it runs the
     * tasks on the calling thread instead of waiting.
     */
    void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || helpers.length == 0 || Thread.currentThread() instanceof Worker || !inUse.compareAndSet(false, true)) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        Job j;
        try {
            j = new Job(tasks, body, ++generations, Thread.currentThread());
            job = j;
            for (Worker w : helpers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            j.drain();
            j.awaitDone();
        } finally {
            job = null;
            inUse.set(false);
        }
        j.rethrow();
    }

    /** One forEach call: its tasks, handed out by a counter, and how many have finished. */
    private static final class Job {
        final int tasks;
        final IntConsumer body;
        final long generation;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int tasks, IntConsumer body, long generation, Thread caller) {
            this.tasks = tasks;
            this.body = body;
            this.generation = generation;
            this.caller = caller;
        }

        void drain() {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                try {
                    if (failure.get() == null) {
                        body.accept(i);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    if (finished.incrementAndGet() == tasks) {
                        LockSupport.unpark(caller); // harmless if the caller is not parked
                    }
                }
            }
        }

        void awaitDone() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (finished.get() < tasks) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        void rethrow() {
            Throwable e = failure.get();
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            if (e instanceof Error) {
                throw (Error) e;
            }
            if (e != null) {
                throw new BackendException("cpu: a worker failed: " + e);
            }
        }
    }

    /** A helper: takes part in each published job, spinning a while between jobs, then parking. */
    private static final class Worker extends Thread {
        private static final AtomicInteger COUNT = new AtomicInteger();
        private final CpuPool pool;
        /** Set while parked (or about to park), so that a publisher knows to unpark it. */
        volatile boolean parked;

        Worker(CpuPool pool) {
            super("tensor-cpu-" + COUNT.incrementAndGet());
            this.pool = pool;
            setDaemon(true); // an idle pool must not keep the JVM alive
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                Job j = awaitNewer(seen);
                seen = j.generation;
                j.drain();
            }
        }

        private Job awaitNewer(long seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Job j = pool.job;
                if (j != null && j.generation > seen) {
                    return j;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                j = pool.job; // checked again after announcing: a publisher either sees parked or we see its job
                if (j == null || j.generation <= seen) {
                    LockSupport.park(pool);
                }
                parked = false;
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
        }
    }
}
