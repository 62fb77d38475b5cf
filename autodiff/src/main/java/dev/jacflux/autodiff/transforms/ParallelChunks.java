package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.NativeThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a direct call ({@link StagedJob#runInto}) uses the machine's cores: chunks are independent,
 * so when a job is large enough its rows are split into as many parts as there are cores and the
 * parts run at once, the calling thread taking one and a small shared pool of daemon threads the
 * others; each part runs its native calls on its own thread ({@link NativeThreads}), so the process
 * uses one native thread per core instead of two-thread OpenMP regions per op.
 *
 * <h2>The rule</h2>
 * Parts = {@code min(cores, OpenMP threads of the calling thread)} (so {@code OMP_NUM_THREADS=1}
 * keeps everything on the calling thread), and only when the job's work ({@link StagedJob#work()},
 * about the elements it writes) is at least {@link #MIN_WORK}: below that, the hand-over costs more
 * than the second core gains. Planned chunks are kept when there are at least as many as parts;
 * otherwise each is split into contiguous row ranges. Calls made from a pool thread run
 * sequentially (no nesting).
 *
 * <pre>{@code
 * INDArray result = ParallelChunks.runInto(job, job.allocateResult());   // what StagedJob.runInto does
 * }</pre>
 */
public final class ParallelChunks {
    /** Jobs writing fewer elements than this run on the calling thread alone. */
    public static final long MIN_WORK = 1L << 18;

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final AtomicInteger WORKER_IDS = new AtomicInteger();
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static volatile ExecutorService pool;

    private ParallelChunks() {
    }

    /** The number of parts a job of {@code work} elements over {@code rows} rows runs in on this thread. */
    public static int parts(long work, long rows) {
        if (work < MIN_WORK || IN_WORKER.get() || rows < 2) {
            return 1;
        }
        int threads = NativeThreads.isNarrow() ? 1 : NativeThreads.wideThreads();
        return (int) Math.max(1, Math.min(rows, Math.min(CORES, threads)));
    }

    /** Runs every chunk of {@code job} into {@code result} (in parallel parts when large enough), then {@code finish}. */
    public static INDArray runInto(StagedJob job, INDArray result) {
        long rows = 0;
        for (RowChunk c : job.chunks()) {
            rows += c.count();
        }
        return runInto(job, result, parts(job.work(), rows));
    }

    /**
     * Runs every chunk of {@code job} into {@code result} in {@code parts} parallel parts (1: on
     * the calling thread), then {@code finish}. The result is the same for any number of parts.
     */
    public static INDArray runInto(StagedJob job, INDArray result, int parts) {
        List<RowChunk> chunks = job.chunks();
        if (parts < 1) {
            throw new AutodiffException(job.kind() + ": parts must be at least 1, got " + parts);
        }
        if (parts == 1) {
            try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
                for (RowChunk c : chunks) {
                    job.computeInto(c, result);
                }
                job.finish(result);
            }
            return result;
        }
        List<RowChunk> work = chunks.size() >= parts ? chunks : split(chunks, parts);
        List<List<RowChunk>> groups = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            groups.add(new ArrayList<>());
        }
        for (int i = 0; i < work.size(); i++) {
            groups.get(i % parts).add(work.get(i));
        }
        List<Future<?>> others = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            List<RowChunk> group = groups.get(p);
            others.add(pool().submit(() -> runGroup(job, group, result)));
        }
        Throwable failure = null;
        try {
            runGroup(job, groups.get(0), result);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? new AutodiffException(job.kind() + ": interrupted while waiting for a part") : failure;
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new AutodiffException(job.kind() + ": a part failed: " + failure, failure);
        }
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            job.finish(result);
        }
        return result;
    }

    private static void runGroup(StagedJob job, List<RowChunk> group, INDArray result) {
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            for (RowChunk c : group) {
                job.computeInto(c, result);
            }
        }
    }

    /** Each chunk split into up to {@code parts} contiguous row ranges (at least one row each), indexed in order. */
    static List<RowChunk> split(List<RowChunk> chunks, int parts) {
        List<RowChunk> out = new ArrayList<>();
        for (RowChunk c : chunks) {
            int k = (int) Math.min(parts, c.count());
            long start = c.start();
            for (int i = 0; i < k; i++) {
                long count = c.count() / k + (i < c.count() % k ? 1 : 0);
                out.add(new RowChunk(out.size(), start, count));
                start += count;
            }
        }
        return out;
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (ParallelChunks.class) {
                p = pool;
                if (p == null) {
                    p = Executors.newFixedThreadPool(Math.max(1, CORES - 1), r -> {
                        Thread t = new Thread(() -> {
                            IN_WORKER.set(Boolean.TRUE);
                            r.run();
                        }, "jacflux-worker-" + WORKER_IDS.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }
}
