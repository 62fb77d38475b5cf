package dev.jacflux.service.datasets;

/**
 * Who uses a dataset: a feature that keeps reading a stored dataset (a running training reads it
 * again when the service restarts) contributes a bean of this type, and deleting the dataset is
 * refused with 409 while any of them names a user.
 *
 * <pre>{@code
 * @Bean
 * DatasetUsage trainingsUseDatasets(TrainingManager m) {
 *     return m::usedBy;   // the id of a running training on that dataset, or null
 * }
 * }</pre>
 */
@FunctionalInterface
public interface DatasetUsage {
    /** What uses the dataset {@code id} now (e.g. {@code training 5f0c2a9e41b7d388}), or null if nothing does. */
    String usedBy(String id);
}
