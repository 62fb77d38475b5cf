package dev.jacflux.pipeline;

import dev.jacflux.config.JobKind;
import java.time.Duration;

/**
 * The assembly stage, {@code (ForwardPass, ChunkTimes) -> JacobianResult}: once every chunk has
 * written its rows, finishes the result in place (e.g. the square roots of gradient norms) and
 * hands the leased array to the {@link JacobianResult}, which then holds it until
 * {@link JacobianResult#release()}.
 *
 * <pre>{@code
 * JacobianResult r = new AssemblyStage(JobKind.BATCH_JACOBIAN).apply(fp, lease, times, startNanos);
 * }</pre>
 */
final class AssemblyStage {
    private final JobKind kind;

    AssemblyStage(JobKind kind) {
        this.kind = kind;
    }

    /** The batch's result; {@code startNanos} is when the batch was admitted. */
    JacobianResult apply(ForwardPass fp, ResultLease lease, ChunkTimes times, long startNanos) {
        return StageError.guard("the final step of the result", () -> {
            long t0 = System.nanoTime();
            fp.job().finish(lease.array());
            long t1 = System.nanoTime();
            Batch batch = fp.batch();
            StageTimings timings = new StageTimings(fp.elapsed(), Duration.ofNanos(times.vjpNanos()),
                    Duration.ofNanos(times.assemblyNanos() + (t1 - t0)), Duration.ofNanos(t1 - startNanos), times.chunks());
            if (!lease.retain()) {
                throw new IllegalStateException("batch " + batch.id() + ": its result array was released before the result was made");
            }
            return new JacobianResult(batch.id(), kind, lease, batch.samples(), timings, batch.attributes());
        });
    }
}
