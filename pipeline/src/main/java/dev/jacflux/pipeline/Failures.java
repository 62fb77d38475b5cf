package dev.jacflux.pipeline;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.MemoryBudgetException;
import dev.jacflux.config.ByteSize;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.model.ModelException;

/**
 * Turns whatever ended a batch into its {@link BatchFailure}: the low-cardinality reason and a
 * one-line message naming the batch. Running out of memory, in Java ({@link OutOfMemoryError}) or
 * natively ({@code std::bad_alloc}), anywhere in the cause chain, is {@link FailureReason#BUDGET},
 * as is a chunk that does not fit its share of the memory budget; the budget message quotes the
 * configured budget and how it is shared, not only the per-chunk share the planner saw.
 *
 * <pre>{@code
 * Failures failures = new Failures(config, 4);
 * BatchFailure f = failures.of(batch, exception);
 * }</pre>
 */
final class Failures {
    private static final String BUDGET_KEY = PipelineConfig.PREFIX + ".memory-budget";
    private final long budgetBytes;
    private final int chunksInFlight;

    /**
     * @param config the pipeline's configuration (its memory budget)
     * @param chunksInFlight how many chunks share the budget
     */
    Failures(PipelineConfig config, int chunksInFlight) {
        this.budgetBytes = config.memoryBudgetBytes();
        this.chunksInFlight = chunksInFlight;
    }

    /** The failure of {@code batch} caused by {@code e}. */
    BatchFailure of(Batch batch, Throwable e) {
        Throwable cause = e instanceof StageError s ? s.getCause() : e;
        FailureReason reason = classify(cause);
        String message;
        if (outOfMemory(cause)) {
            message = "batch " + batch.id() + ": out of memory" + (e instanceof StageError s ? " in " + s.stage() : "") + " ("
                    + detail(cause) + "); lower " + BUDGET_KEY + " (now " + ByteSize.ofBytes(budgetBytes)
                    + ") so that chunks get smaller, run fewer batches or chunks at once, or give the JVM (-Xmx) or the machine more memory";
        } else if (cause instanceof MemoryBudgetException m && m.neededBytes() > 0) {
            message = "batch " + batch.id() + ": one row needs about " + approximately(m.neededBytes()) + " of working memory, more than the "
                    + ByteSize.ofBytes(m.budgetBytes()) + " that each of the " + chunksInFlight + " chunks in flight may use of the memory budget "
                    + ByteSize.ofBytes(budgetBytes) + " (" + BUDGET_KEY + "); raise the budget, run fewer chunks at once ("
                    + PipelineConfig.PREFIX + ".chunks-in-flight, " + PipelineConfig.PREFIX + ".batches-in-flight) or send smaller batches";
        } else {
            message = detail(cause);
        }
        return new BatchFailure(batch.id(), reason, message, cause, batch.attributes());
    }

    /** The low-cardinality cause of a failure. */
    static FailureReason classify(Throwable e) {
        Throwable cause = e instanceof StageError s ? s.getCause() : e;
        if (outOfMemory(cause) || cause instanceof MemoryBudgetException) {
            return FailureReason.BUDGET;
        }
        if (cause instanceof NonFiniteInputException) {
            return FailureReason.NON_FINITE;
        }
        if (cause instanceof AutodiffException || cause instanceof IllegalArgumentException || cause instanceof ModelException) {
            return FailureReason.SHAPE;
        }
        return FailureReason.INTERNAL;
    }

    /**
     * Whether {@code e} or one of its causes is an out-of-memory condition: a Java
     * {@link OutOfMemoryError} or a native allocation failure as ND4J reports it
     * ({@code std::bad_alloc}, "Allocation failed", JavaCPP's "Cannot allocate").
     */
    static boolean outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("bad_alloc") || m.contains("Allocation failed") || m.contains("Cannot allocate"))) {
                return true;
            }
        }
        return false;
    }

    /** {@code bytes} to one decimal in the largest binary unit below it, e.g. {@code 4.6MiB}. */
    static String approximately(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + "B" : String.format(java.util.Locale.ROOT, "%.1f%s", v, units[u]);
    }

    private static String detail(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
