package dev.jacflux.pipeline;

import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.config.JobKind;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the pipeline computes for each batch: turns a batch into a staged job (forward pass done,
 * rows planned). {@link JobDefinitions} has one factory per {@link JobKind}; a model-aware layer
 * (the CLI, a service) builds them from a model file.
 *
 * <pre>{@code
 * JobDefinition job = JobDefinitions.batchJacobian(x -> x.matmul(w).tanh());
 * }</pre>
 */
public interface JobDefinition {

    /** The kind of job, matched against the configuration's {@code jacflux.job}. */
    JobKind kind();

    /**
     * Runs the forward pass for {@code batch} (whose input is already in {@code dtype}) and plans
     * its chunks within {@code limits}.
     */
    StagedJob prepare(Batch batch, DataType dtype, JobLimits limits);
}
