package dev.jacflux.pipeline;

import dev.jacflux.autodiff.transforms.StagedJob;
import java.time.Duration;

/**
 * The record the forward stage hands to the chunk stage: the batch, its staged job (graph
 * recorded, rows planned) and how long the forward pass took.
 *
 * <pre>{@code
 * ForwardPass fp = new ForwardPass(batch, job, Duration.ofMillis(4));
 * fp.job().chunks();
 * }</pre>
 *
 * @param batch the input batch
 * @param job the staged computation for this batch
 * @param elapsed time of validation and forward pass
 */
public record ForwardPass(Batch batch, StagedJob job, Duration elapsed) {
}
