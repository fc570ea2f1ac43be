package dev.tensorbackend.cpu;

import dev.tensorbackend.api.BackendException;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The worker threads every fast CPU kernel shares, so that two backends (or two ops) never
 * oversubscribe the cores. Its size comes from the system property {@value #THREADS_PROPERTY}
 * (default: the number of available processors).
 *
 * <p>Work is handed out as numbered tasks; which thread runs which task varies from run to
 * run, so a task must write only its own part of the output and never race a reduction.
 * That is what makes every result independent of scheduling.
 */
final class CpuPool {
    static final String THREADS_PROPERTY = "tensor.cpu.threads";

    /** Made on first use; not a holder class, so that a bad property is a clear error each time, not a failed class init. */
    private static CpuPool shared;

    private final int threads;
    /** threads - 1 helpers: the calling thread always works too, so progress never waits on a busy pool. */
    private final ExecutorService helpers;

    CpuPool(int threads) {
        if (threads < 1) {
            throw new BackendException("cpu: thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.helpers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, task -> {
            Thread t = new Worker(task);
            t.setDaemon(true); // an idle pool must not keep the JVM alive
            return t;
        });
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
     * (a kernel nested in another), it runs the tasks inline instead of waiting on itself.
     */
    void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || helpers == null || Thread.currentThread() instanceof Worker) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable drain = () -> {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                try {
                    if (failure.get() == null) {
                        body.accept(i);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int h = Math.min(threads - 1, tasks - 1); h > 0; h--) {
            helpers.execute(drain);
        }
        drain.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("cpu: interrupted while waiting for worker threads");
        }
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

    private static final class Worker extends Thread {
        private static final AtomicInteger COUNT = new AtomicInteger();

        Worker(Runnable task) {
            super(task, "tensor-cpu-" + COUNT.incrementAndGet());
        }
    }
}
