package dev.jacflux.cli;

import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.autodiff.transforms.StagedJob;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a staged job ({@link StagedJob}: forward pass done, rows planned in chunks) chunk by chunk
 * into a fresh result, advancing a progress bar once per chunk.
 *
 * <pre>{@code
 * StagedJob job = BatchJacobian.of(f, options).prepare(x);
 * INDArray jac = JobRunner.run(job, reporter, "jacobian");   // progress bar labelled "jacobian"
 * }</pre>
 */
public final class JobRunner {
    private JobRunner() {
    }

    /** Computes every chunk into a fresh array of {@link StagedJob#resultShape()} and finishes the job. */
    public static INDArray run(StagedJob job, Reporter reporter, String label) {
        Progress progress = reporter.progress(label, job.chunks().size());
        INDArray result = job.allocateResult();
        for (RowChunk c : job.chunks()) {
            job.assemble(job.compute(c), result);
            progress.advance();
        }
        job.finish(result);
        progress.done();
        return result;
    }
}
