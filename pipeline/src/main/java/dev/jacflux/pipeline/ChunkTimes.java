package dev.jacflux.pipeline;

/**
 * The record the chunk stage hands to the assembly stage: how many chunks ran and how long their
 * reverse passes and their writes into the result took, summed over the chunks (across rails, so
 * the sums can exceed the wall time).
 *
 * <pre>{@code
 * ChunkTimes all = perChunk.reduce(ChunkTimes.NONE, ChunkTimes::plus);
 * }</pre>
 *
 * @param chunks number of chunks
 * @param vjpNanos summed time of the reverse passes (for jobs writing straight into the result, pass and write)
 * @param assemblyNanos summed time of writing computed rows into the result
 */
record ChunkTimes(int chunks, long vjpNanos, long assemblyNanos) {
    /** No chunk yet. */
    static final ChunkTimes NONE = new ChunkTimes(0, 0, 0);

    /** The sums of both. */
    ChunkTimes plus(ChunkTimes other) {
        return new ChunkTimes(chunks + other.chunks, vjpNanos + other.vjpNanos, assemblyNanos + other.assemblyNanos);
    }
}
